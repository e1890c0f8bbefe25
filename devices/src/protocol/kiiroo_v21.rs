//! Kiiroo v2.1 (`kiiroo-v21`): vibrate 0–100 as `01 VV` on tx, without response.

use super::Protocol;
use super::packet::VibratorPacket;

/// The protocol for any `kiiroo-v21` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x01, speed],
        with_response: false,
    }))
}

//! Pink Punch (`pink_punch`): vibrate 0–100 as `09 SPEED` on tx, with response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `pink_punch` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x09, speed],
        with_response: true,
    }))
}

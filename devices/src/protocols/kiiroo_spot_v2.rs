//! Kiiroo Spot 2 (`kiiroo-spot-v2`): vibrate 0–100 as `01 SPEED SPEED 03 e8 ff` on tx, with
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-spot-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x01, speed, speed, 0x03, 0xe8, 0xff],
        with_response: true,
    }))
}

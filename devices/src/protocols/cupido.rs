//! Cupido (`cupido`): vibrate 0–255 as `b0 03 00 00 00 SPEED aa` on tx, without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `cupido` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0xb0, 0x03, 0x00, 0x00, 0x00, speed, 0xaa],
        with_response: false,
    }))
}

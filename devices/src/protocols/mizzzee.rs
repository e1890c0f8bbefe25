//! Mizz Zee (`mizzzee`): vibrate 0–68 as `69 96 03 01 ON SPEED` on tx (`ON` is 1 while it
//! runs), without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `mizzzee` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x69, 0x96, 0x03, 0x01, u8::from(speed > 0), speed],
        with_response: false,
    }))
}

//! Xiuxiuda (`xiuxiuda`): vibrate 0–19 as `00 00 00 00 65 3a 30 SPEED 64` on tx, without
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `xiuxiuda` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x00, 0x00, 0x00, 0x00, 0x65, 0x3a, 0x30, speed, 0x64],
        with_response: false,
    }))
}

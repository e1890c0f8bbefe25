//! Svakom Dice (`svakom-dice`): vibrate 0–255 as `55 04 00 00 01 SPEED aa` on tx, without
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `svakom-dice` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x55, 0x04, 0x00, 0x00, 0x01, speed, 0xaa],
        with_response: false,
    }))
}

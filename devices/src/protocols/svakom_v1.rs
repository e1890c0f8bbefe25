//! Svakom v1 (`svakom-v1`): vibrate 0–19 as `55 04 03 00 M VV` on tx (M is 1 while running),
//! without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `svakom-v1` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x55, 0x04, 0x03, 0x00, u8::from(speed > 0), speed],
        with_response: false,
    }))
}

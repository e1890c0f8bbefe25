//! Magic Motion, first generation (`magic-motion-1`): vibrate 0–100 as
//! `0b ff 04 0a 32 32 00 04 08 VV 64 00` on tx, without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `magic-motion-1` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            vec![
                0x0b, 0xff, 0x04, 0x0a, 0x32, 0x32, 0x00, 0x04, 0x08, speed, 0x64, 0x00,
            ]
        },
        with_response: false,
    }))
}

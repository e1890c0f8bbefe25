//! Magic Motion, third generation (`magic-motion-3`): vibrate 0–77 as
//! `0b ff 04 0a 46 46 00 04 08 SPEED 64 00` on tx, without response. The battery is the
//! standard BLE one.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `magic-motion-3` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            vec![
                0x0b, 0xff, 0x04, 0x0a, 0x46, 0x46, 0x00, 0x04, 0x08, speed, 0x64, 0x00,
            ]
        },
        with_response: false,
    }))
}

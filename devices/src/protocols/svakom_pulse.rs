//! Svakom Pulse (`svakom-pulse`): vibrate 0–9 as `55 03 03 00 ON SPEED+1` on tx, without
//! response (`ON` is 1 while it runs; a stop is `55 03 03 00 00 01`).

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `svakom-pulse` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            vec![
                0x55,
                0x03,
                0x03,
                0x00,
                u8::from(speed > 0),
                speed.saturating_add(1),
            ]
        },
        with_response: false,
    }))
}

//! Sensee (`sensee`): vibrate 0–100 as `55 aa f0 01 01 0b 65 f7 01 01 SPEED` on tx, without
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `sensee` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            vec![
                0x55, 0xaa, 0xf0, 0x01, 0x01, 0x0b, 0x65, 0xf7, 0x01, 0x01, speed,
            ]
        },
        with_response: false,
    }))
}

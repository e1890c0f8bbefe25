//! Svakom Alex (`svakom-alex`): vibrate 1–3 as `12 01 03 00 SPEED 00` on tx, without
//! response; a stop is `12 01 03 00 ff 00`.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `svakom-alex` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let speed = if speed == 0 { 0xff } else { speed };
            vec![0x12, 0x01, 0x03, 0x00, speed, 0x00]
        },
        with_response: false,
    }))
}

//! Svakom Alex v2 (`svakom-alex-v2`): vibrate 0–3 as `55 03 03 00 SPEED SPEED+5` on tx,
//! without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `svakom-alex-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x55, 0x03, 0x03, 0x00, speed, speed.saturating_add(5)],
        with_response: false,
    }))
}

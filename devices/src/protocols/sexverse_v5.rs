//! Sexverse, fifth protocol (`sexverse-v5`): vibrate 0–100 as `aa 03 03 SPEED 00 00 00` on tx,
//! without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `sexverse-v5` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0xaa, 0x03, 0x03, speed, 0x00, 0x00, 0x00],
        with_response: false,
    }))
}

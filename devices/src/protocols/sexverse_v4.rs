//! Sexverse, fourth protocol (`sexverse-v4`): vibrate 0–99 as `bb 01 SPEED 66` on tx, with
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `sexverse-v4` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0xbb, 0x01, speed, 0x66],
        with_response: true,
    }))
}

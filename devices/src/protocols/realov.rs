//! Realov (`realov`): vibrate 0–50 as `c5 55 SPEED aa` on tx, without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `realov` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0xc5, 0x55, speed, 0xaa],
        with_response: false,
    }))
}

//! Mizz Zee, second protocol (`mizzzee-v2`): vibrate 0–68 as `69 96 04 02 SPEED 2c SPEED` on
//! tx, without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `mizzzee-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x69, 0x96, 0x04, 0x02, speed, 0x2c, speed],
        with_response: false,
    }))
}

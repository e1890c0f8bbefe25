//! Omobo (`omobo`): vibrate 0–100 as `a1 04 04 01 SPEED ff 55` on tx, with response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `omobo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0xa1, 0x04, 0x04, 0x01, speed, 0xff, 0x55],
        with_response: true,
    }))
}

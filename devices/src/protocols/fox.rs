//! Fox (`fox`): vibrate 0–3 as `03 01 01 fe SPEED` on tx, without response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `fox` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x03, 0x01, 0x01, 0xfe, speed],
        with_response: false,
    }))
}

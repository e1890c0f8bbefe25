//! Kiiroo Spot (`kiiroo-spot`): vibrate 0–100 as `00 ff 00 00 00 SPEED` on tx, without
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-spot` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| vec![0x00, 0xff, 0x00, 0x00, 0x00, speed],
        with_response: false,
    }))
}

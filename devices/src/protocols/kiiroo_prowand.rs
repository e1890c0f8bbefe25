//! Kiiroo ProWand (`kiiroo-prowand`): vibrate 0–255 as `00 00 64 ON SPEED SPEED` on tx,
//! without response, `ON` being `ff` while it runs and `00` once stopped.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-prowand` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let on = if speed == 0 { 0x00 } else { 0xff };
            vec![0x00, 0x00, 0x64, on, speed, speed]
        },
        with_response: false,
    }))
}

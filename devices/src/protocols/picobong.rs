//! Picobong (`picobong`): vibrate 0–10 as `01 MODE SPEED` on tx without response, `MODE`
//! being 01 while it runs and `ff` once stopped.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `picobong` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let mode = if speed == 0 { 0xff } else { 0x01 };
            vec![0x01, mode, speed]
        },
        with_response: false,
    }))
}

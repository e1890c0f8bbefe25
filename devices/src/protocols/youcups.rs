//! Youcups (`youcups`): vibrate 0–8 as the text `$SYS,SPEED?` on tx (`$SYS,3?`), without
//! response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `youcups` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| format!("$SYS,{speed}?").into_bytes(),
        with_response: false,
    }))
}

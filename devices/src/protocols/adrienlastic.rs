//! Adrien Lastic (`adrienlastic`): vibrate 0–16 as the text `MotorValue:NN;` on tx (the speed
//! in at least two decimal digits, `MotorValue:08;`), with response.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `adrienlastic` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| format!("MotorValue:{speed:02};").into_bytes(),
        with_response: true,
    }))
}

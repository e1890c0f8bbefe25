//! Meese (`meese`): one packet per vibrator on tx, with response, `01 80 MOTOR SPEED`, the
//! motor counted from 1 (feature 0 is motor 1).

use super::packet::{VibratorPackets, motor_number};
use crate::protocol::Protocol;

/// The protocol for any `meese` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet: |feature, speed| vec![0x01, 0x80, motor_number(feature), speed],
        with_response: true,
    }))
}

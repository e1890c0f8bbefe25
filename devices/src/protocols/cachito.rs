//! Cachito (`cachito`): one packet per vibrator on tx, without response,
//! `(FEATURE+2) (FEATURE+1) SPEED 00`: `02 01 SPEED 00` for the vibrator on feature 0,
//! `03 02 SPEED 00` for the one on feature 1.

use super::packet::{VibratorPackets, motor_number};
use crate::protocol::Protocol;

/// The protocol for any `cachito` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet: |feature, speed| {
            let motor = motor_number(feature);
            vec![motor.saturating_add(1), motor, speed, 0x00]
        },
        with_response: false,
    }))
}

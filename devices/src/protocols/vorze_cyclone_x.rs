//! Vorze Cyclone X10 (`vorze-cyclone-x`), a USB HID device: one rotator (−10–10, negative
//! counter-clockwise) as a 16-byte report on tx, ASCII digits in the middle:
//! `00 3c 30 31 35 32 30 DIRECTION SPEED 30 30 01 02 03 68 3e`, `DIRECTION` being `30`
//! clockwise and `31` counter-clockwise, `SPEED` `30` + the speed (0–10).
//!
//! (buttplug-rs has no driver for this protocol; the report is from Buttplug's C#
//! implementation, `CycloneX10`.)

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{tx, value_of};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The ASCII digit zero, which the report's digits count from.
const DIGIT_ZERO: u8 = 0x30;
/// The fastest speed.
const TOP_SPEED: u32 = 10;

/// The protocol for any `vorze-cyclone-x` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VorzeCycloneX))
}

/// The report turning at `value` (−10–10).
pub(super) fn report(value: i32) -> [u8; 16] {
    let direction = DIGIT_ZERO + u8::from(value < 0);
    let speed = DIGIT_ZERO + u8::try_from(value.unsigned_abs().min(TOP_SPEED)).unwrap_or(10);
    [
        0x00, 0x3c, 0x30, 0x31, 0x35, 0x32, 0x30, direction, speed, 0x30, 0x30, 0x01, 0x02, 0x03,
        0x68, 0x3e,
    ]
}

#[derive(Debug)]
struct VorzeCycloneX;

impl Protocol for VorzeCycloneX {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx(report(value_of(state, 0, OutputType::Rotate)), false)
    }
}

//! iToys (`itoys`): one packet per output on tx, without response, `a0 CMD A 00 B C`:
//! - vibrator: `a0 01 00 00 SPEED ff`;
//! - oscillator: `a0 06 ON 00 ON SPEED`;
//! - rotator: `a0 08 ON 00 SPEED RUN`;
//! - constrictor: `a0 0d 00 00 LEVEL RUN`, `RUN` being `64` while it is on;
//!
//! where `ON` is 01 while the motor runs, `RUN` (rotator) `ff`, and both 00 once it stops.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `itoys` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let value = command.value();
    let speed = byte(value.saturating_abs());
    let on = u8::from(value != 0);
    match command.output_type() {
        OutputType::Vibrate => Some(vec![0xa0, 0x01, 0x00, 0x00, speed, 0xff]),
        OutputType::Oscillate => Some(vec![0xa0, 0x06, on, 0x00, on, speed]),
        OutputType::Rotate => Some(vec![0xa0, 0x08, on, 0x00, speed, on * 0xff]),
        OutputType::Constrict => Some(vec![0xa0, 0x0d, 0x00, 0x00, speed, on * 0x64]),
        _ => None,
    }
}

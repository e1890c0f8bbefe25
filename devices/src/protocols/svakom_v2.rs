//! Svakom v2 (`svakom-v2`): vibrate 0–10 on tx, with response: `55 03 03 00 ON SPEED` for the
//! vibrator on feature 0 (`ON` is 1 while it runs), `55 06 01 00 SPEED SPEED` for one on
//! feature 1.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: true,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    match (feature, command.output_type()) {
        (1, OutputType::Vibrate) => Some(vec![0x55, 0x06, 0x01, 0x00, speed, speed]),
        (_, OutputType::Vibrate) => Some(vec![0x55, 0x03, 0x03, 0x00, u8::from(speed > 0), speed]),
        _ => None,
    }
}

//! Svakom v3 (`svakom-v3`): one packet per motor on tx, without response: `55 03 03 00 ON
//! SPEED` for the vibrator on feature 0, `55 09 00 00 ON SPEED` for a vibrator elsewhere
//! (`ON` is 1 while it runs), `55 08 00 00 SPEED ff` for the rotator.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-v3` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value().saturating_abs());
    let on = u8::from(speed > 0);
    match (feature, command.output_type()) {
        (0, OutputType::Vibrate) => Some(vec![0x55, 0x03, 0x03, 0x00, on, speed]),
        (_, OutputType::Vibrate) => Some(vec![0x55, 0x09, 0x00, 0x00, on, speed]),
        (_, OutputType::Rotate) => Some(vec![0x55, 0x08, 0x00, 0x00, speed, 0xff]),
        _ => None,
    }
}

//! Svakom Ava Neo (`svakom-avaneo`): one packet per output on tx, without response. The
//! output on feature 0 (the vibrator) is `55 03 00 00 ON SPEED`, `ON` being 1 while it runs;
//! elsewhere, a vibrator is `55 09 00 00 SPEED ff` and the oscillator (thrusting, 0–1)
//! `55 08 00 00 SPEED ff`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-avaneo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    match (feature, command.output_type()) {
        (0, OutputType::Vibrate | OutputType::Oscillate) => {
            Some(vec![0x55, 0x03, 0x00, 0x00, u8::from(speed > 0), speed])
        }
        (_, OutputType::Vibrate) => Some(vec![0x55, 0x09, 0x00, 0x00, speed, 0xff]),
        (_, OutputType::Oscillate) => Some(vec![0x55, 0x08, 0x00, 0x00, speed, 0xff]),
        _ => None,
    }
}

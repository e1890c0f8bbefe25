//! Svakom DT250A (`svakom-dt250a`): one packet per output on tx, without response,
//! `55 CMD 00 00 SPEED ON`: `CMD` is 03 for the vibrator on feature 0, 08 for the other
//! vibrator, 09 for suction; `ON` is 1 while a vibrator runs, always 0 for suction.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-dt250a` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    let on = u8::from(speed > 0);
    match (feature, command.output_type()) {
        (0, OutputType::Vibrate) => Some(vec![0x55, 0x03, 0x00, 0x00, speed, on]),
        (_, OutputType::Vibrate) => Some(vec![0x55, 0x08, 0x00, 0x00, speed, on]),
        (_, OutputType::Constrict) => Some(vec![0x55, 0x09, 0x00, 0x00, speed, 0x00]),
        _ => None,
    }
}

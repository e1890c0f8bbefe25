//! Svakom Sam 2 (`svakom-sam2`): one packet per output on tx, with response: the vibrator
//! (0–10) as `55 03 00 00 ON SPEED 00`, `ON` being 5 while it runs; suction (0–5) as
//! `55 09 00 00 ON LEVEL 00`, `ON` being 1 while it runs.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-sam2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: true,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let value = byte(command.value());
    let running = value > 0;
    match command.output_type() {
        OutputType::Vibrate => Some(vec![
            0x55,
            0x03,
            0x00,
            0x00,
            if running { 0x05 } else { 0x00 },
            value,
            0x00,
        ]),
        OutputType::Constrict => Some(vec![0x55, 0x09, 0x00, 0x00, u8::from(running), value, 0x00]),
        _ => None,
    }
}

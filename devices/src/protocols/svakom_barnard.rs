//! Svakom Barnard (`svakom-barnard`): one packet per output on tx, without response: the
//! vibrator (0–3) as `55 03 00 00 SPEED ON`, `ON` being 1 while it runs; the oscillator (0–3)
//! as `55 08 00 00 SPEED ON`, `ON` being ff while it runs.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-barnard` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    let running = speed > 0;
    match command.output_type() {
        OutputType::Vibrate => Some(vec![0x55, 0x03, 0x00, 0x00, speed, u8::from(running)]),
        OutputType::Oscillate => Some(vec![
            0x55,
            0x08,
            0x00,
            0x00,
            speed,
            if running { 0xff } else { 0x00 },
        ]),
        _ => None,
    }
}

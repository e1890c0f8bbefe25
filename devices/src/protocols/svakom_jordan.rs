//! Svakom Jordan (`svakom-jordan`): one packet per output on tx, without response,
//! `55 CMD 00 00 ON SPEED 00`: `CMD` is 03 for the vibrator (0–10), 08 for the oscillator
//! (0–5); `ON` is 1 while it runs.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-jordan` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let cmd = match command.output_type() {
        OutputType::Vibrate => 0x03,
        OutputType::Oscillate => 0x08,
        _ => return None,
    };
    let speed = byte(command.value());
    Some(vec![
        0x55,
        cmd,
        0x00,
        0x00,
        u8::from(speed > 0),
        speed,
        0x00,
    ])
}

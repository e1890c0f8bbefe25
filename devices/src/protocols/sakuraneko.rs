//! Sakuraneko (`sakuraneko`): one twelve-byte packet per output on tx, without response,
//! speeds 0–100:
//! - vibrator: `a1 08 01 00 00 00 64 SPEED 00 64 df 55`;
//! - rotator: `a2 08 01 00 00 00 64 SPEED 00 32 df 55`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `sakuraneko` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let (kind, tail) = match command.output_type() {
        OutputType::Vibrate => (0xa1, 0x64),
        OutputType::Rotate => (0xa2, 0x32),
        _ => return None,
    };
    let speed = byte(command.value());
    Some(vec![
        kind, 0x08, 0x01, 0x00, 0x00, 0x00, 0x64, speed, 0x00, tail, 0xdf, 0x55,
    ])
}

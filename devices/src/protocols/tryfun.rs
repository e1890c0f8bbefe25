//! TryFun (`tryfun`): one packet per output on tx, with response.
//!
//! - The Yuan series' oscillator and rotator (0–9): `aa 02 CMD SPEED CHECK`, `CMD` 07 to
//!   oscillate, 08 to rotate; `CHECK` is ff less the three bytes after `aa`, plus 3.
//! - The Surge Pro's vibrator (0–4): `00 02 00 05 ON SPEED 01 OFF CHECK`: `ON` 2 and `OFF` 0
//!   while it runs, `CHECK` fd less the speed; stopped, `01 02 01 01 fc`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `tryfun` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: true,
    }))
}

/// A Yuan series motor packet for command `command`.
fn motor(command: u8, speed: u8) -> Vec<u8> {
    let body = [0x02, command, speed];
    let check = body
        .iter()
        .fold(0xffu8, |check, b| check.wrapping_sub(*b))
        .wrapping_add(3);
    vec![0xaa, body[0], body[1], body[2], check]
}

/// The Surge Pro's vibrator packet.
fn vibrator(speed: u8) -> Vec<u8> {
    let running = speed > 0;
    vec![
        0x00,
        0x02,
        0x00,
        0x05,
        if running { 0x02 } else { 0x01 },
        if running { speed } else { 0x02 },
        0x01,
        u8::from(!running),
        0xfd_u8.wrapping_sub(speed.max(1)),
    ]
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    match command.output_type() {
        OutputType::Oscillate => Some(motor(0x07, speed)),
        OutputType::Rotate => Some(motor(0x08, speed)),
        OutputType::Vibrate => Some(vibrator(speed)),
        _ => None,
    }
}

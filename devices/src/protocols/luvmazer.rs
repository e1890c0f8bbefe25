//! Luvmazer (`luvmazer`): one packet per output on tx, without response, `a0 CMD A B C SPEED`:
//! - vibrator: `a0 01 00 FEATURE 64 SPEED`, except the one on feature 2 (a tapping motor):
//!   `a0 0c 00 00 64 SPEED`;
//! - rotator `a0 0f 00 00 64 SPEED`, oscillator `a0 06 01 00 64 SPEED`;
//! - constrictor `a0 0d 00 00 ON SPEED`, `ON` being 14 while it runs.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The feature whose vibrator taps rather than vibrates.
const TAPPING_FEATURE: u32 = 2;

/// The protocol for any `luvmazer` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let speed = byte(command.value());
    match command.output_type() {
        OutputType::Vibrate if feature == TAPPING_FEATURE => {
            Some(vec![0xa0, 0x0c, 0x00, 0x00, 0x64, speed])
        }
        OutputType::Vibrate => Some(vec![
            0xa0,
            0x01,
            0x00,
            u8::try_from(feature).unwrap_or(u8::MAX),
            0x64,
            speed,
        ]),
        OutputType::Rotate => Some(vec![0xa0, 0x0f, 0x00, 0x00, 0x64, speed]),
        OutputType::Oscillate => Some(vec![0xa0, 0x06, 0x01, 0x00, 0x64, speed]),
        OutputType::Constrict => Some(vec![
            0xa0,
            0x0d,
            0x00,
            0x00,
            if speed == 0 { 0x00 } else { 0x14 },
            speed,
        ]),
        _ => None,
    }
}

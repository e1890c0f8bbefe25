//! Svakom Fatima (`svakom-fatima`): one packet per output on tx, without response:
//!
//! | output | running | stopped |
//! |---|---|---|
//! | vibrator (0–10) | `55 03 00 00 01 SPEED` | `55 03 00 00 00 00` |
//! | suction (0–10) | `55 09 00 00 01 LEVEL` | `55 09 00 00 00 00` |
//! | thrusting (oscillate, patterns 1–7) | `55 08 00 00 PATTERN ff` | `55 08 00 00 00 00` |
//! | heat (on/off) | `55 05 01 37 02 00 00` | `55 05 00 00 02 00 00` |
//!
//! The `01` of vibration and suction is the device's steady mode.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `svakom-fatima` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// Vibration's or suction's packet: steady mode at `value`, or off.
fn steady(cmd: u8, value: u8) -> Vec<u8> {
    let mode = u8::from(value > 0);
    vec![0x55, cmd, 0x00, 0x00, mode, value]
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let value = byte(command.value());
    let running = value > 0;
    let packet = match command.output_type() {
        OutputType::Vibrate => steady(0x03, value),
        OutputType::Constrict => steady(0x09, value),
        OutputType::Oscillate if running => vec![0x55, 0x08, 0x00, 0x00, value, 0xff],
        OutputType::Oscillate => vec![0x55, 0x08, 0x00, 0x00, 0x00, 0x00],
        OutputType::Temperature if running => {
            vec![0x55, 0x05, 0x01, 0x37, 0x02, 0x00, 0x00]
        }
        OutputType::Temperature => vec![0x55, 0x05, 0x00, 0x00, 0x02, 0x00, 0x00],
        _ => return None,
    };
    Some(packet)
}

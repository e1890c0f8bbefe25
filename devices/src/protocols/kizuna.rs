//! Kizuna (`kizuna`): the Kizuna Smart, on a serial port. A text line on tx, without response:
//! the rotation speed 0–9 as one ASCII digit, then `\r\n`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::OutputPackets;
use crate::protocol::Protocol;

/// The protocol for any `kizuna` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    if command.output_type() != OutputType::Rotate {
        return None;
    }
    // The range is 0–9; anything else is clamped to a digit.
    let digit = u8::try_from(command.value().clamp(0, 9)).unwrap_or(0);
    Some(vec![b'0' + digit, b'\r', b'\n'])
}

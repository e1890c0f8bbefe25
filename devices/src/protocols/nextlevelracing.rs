//! Next Level Racing (`nextlevelracing`): the HF8 haptic gaming pad, on a serial port, with
//! eight vibrators. A text command per vibrator on tx, without response: `M` + the feature
//! index + the speed 0–255 in decimal, then `\r`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::OutputPackets;
use crate::protocol::Protocol;

/// The protocol for any `nextlevelracing` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(feature: u32, command: OutputCommand) -> Option<Vec<u8>> {
    (command.output_type() == OutputType::Vibrate)
        .then(|| format!("M{feature}{}\r", command.value().max(0)).into_bytes())
}

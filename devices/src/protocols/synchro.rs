//! Synchro (`synchro`): rotate −6–6 as `a1 01 SPEED 77 55` on tx, without response; the top
//! bit of `SPEED` is set for counter-clockwise.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `synchro` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    (command.output_type() == OutputType::Rotate).then(|| {
        let value = command.value();
        let counter_clockwise = if value < 0 { 0x80 } else { 0x00 };
        let speed = byte(value.saturating_abs()) | counter_clockwise;
        vec![0xa1, 0x01, speed, 0x77, 0x55]
    })
}

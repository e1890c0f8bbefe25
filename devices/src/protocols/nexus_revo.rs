//! Nexus Revo (`nexus-revo`): one packet per output on tx, with response: the vibrator
//! (0–10) as `aa 01 01 00 01 SPEED`, the rotator (−2–2) as `aa 01 02 00 MODE 00`, `MODE`
//! being 0 to stop, the speed (1–2) counter-clockwise and the speed plus 2 (3–4) clockwise.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// The protocol for any `nexus-revo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: true,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let value = command.value();
    match command.output_type() {
        OutputType::Vibrate => Some(vec![0xaa, 0x01, 0x01, 0x00, 0x01, byte(value)]),
        OutputType::Rotate => {
            let clockwise_offset = if value > 0 { 2 } else { 0 };
            let mode = byte(value.saturating_abs()).saturating_add(clockwise_offset);
            Some(vec![0xaa, 0x01, 0x02, 0x00, mode, 0x00])
        }
        _ => None,
    }
}

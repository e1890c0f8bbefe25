//! The Handy, firmware before 4 (`thehandy`): each move is a Protocol Buffers message on tx,
//! with response (the "handyplug" schema, written by hand here):
//!
//! ```text
//! Payload { 1: Message { 403: LinearCmd { 1: id = 2, 2: device index = 0,
//!     3: Vector { 1: index = 0, 2: duration (ms), 3: position (double, 0.0–1.0) } } } }
//! ```
//!
//! so a move to 100 over 500 ms is `0a 13 9a 19 10 08 02 1a 0c 10 f4 03 19 00…f0 3f`; zero
//! fields are left out, as proto3 does. No handshake is needed.

use plugwire_core::message::OutputCommand;

use super::packet::{OutputPackets, protobuf};
use crate::protocol::Protocol;

/// The fields of handyplug's messages used here.
const PAYLOAD_MESSAGES: u32 = 1;
const MESSAGE_LINEAR_CMD: u32 = 403;
const LINEAR_CMD_ID: u32 = 1;
const LINEAR_CMD_VECTORS: u32 = 3;
const VECTOR_DURATION: u32 = 2;
const VECTOR_POSITION: u32 = 3;
/// The id every move carries: the device answers one command at a time.
const LINEAR_CMD_ID_VALUE: u64 = 2;
/// Positions are steps of 0–100, the message wants 0.0–1.0.
const POSITION_STEPS: f64 = 100.0;

/// The protocol for any `thehandy` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: true,
    }))
}

/// The message moving the device to `position` (0–100) in `duration_ms`.
fn linear_cmd(position: i32, duration_ms: u32) -> Vec<u8> {
    let mut vector = Vec::new();
    protobuf::uint(&mut vector, VECTOR_DURATION, u64::from(duration_ms));
    protobuf::double(
        &mut vector,
        VECTOR_POSITION,
        f64::from(position) / POSITION_STEPS,
    );
    let mut command = Vec::new();
    protobuf::uint(&mut command, LINEAR_CMD_ID, LINEAR_CMD_ID_VALUE);
    protobuf::message(&mut command, LINEAR_CMD_VECTORS, &vector);
    let mut message = Vec::new();
    protobuf::message(&mut message, MESSAGE_LINEAR_CMD, &command);
    let mut payload = Vec::new();
    protobuf::message(&mut payload, PAYLOAD_MESSAGES, &message);
    payload
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    match command {
        OutputCommand::HwPositionWithDuration(move_to) => {
            Some(linear_cmd(move_to.value.clamp(0, 100), move_to.duration))
        }
        _ => None,
    }
}

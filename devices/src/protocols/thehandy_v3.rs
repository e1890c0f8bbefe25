//! The Handy, firmware 4 on (`thehandy-v3`): advertised as `OHD_<model>_…`, the middle part
//! (`hw4`) naming the model. Every packet is a Protocol Buffers `RpcMessage` on tx (written by
//! hand here):
//!
//! ```text
//! RpcMessage { 1: type = 1 (request), 2: Request { 2: id, PARAMS: { … } } }
//! ```
//!
//! | what | params field | params |
//! |---|---|---|
//! | battery (handshake) | 710 | none |
//! | capabilities (handshake) | 713 | none |
//! | move to a position | 744 | `1: position (float, 0.0–1.0), 2: duration (ms), 3: stop on target = false` |
//! | vibrate | 900 | `1: amplitude (float, 0.0–1.0), 2: frequency = 100 Hz, 3: position = 0` |
//! | stop vibrating | 901 | none |
//!
//! On connection: subscribe to rx, then ask for the battery (id 1) and the capabilities (id
//! 2), without response, each time waiting for the answer (read only to know it is there).
//! Commands go with response and are numbered from 0.

use plugwire_core::message::OutputCommand;

use super::packet::{per_output, protobuf};
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};
use crate::protocol::reads::next_notification;

/// The fields of the RPC schema used here.
const RPC_TYPE: u32 = 1;
const RPC_REQUEST: u32 = 2;
const REQUEST_ID: u32 = 2;
const BATTERY_GET: u32 = 710;
const CAPABILITIES_GET: u32 = 713;
const POSITION_IN_TIME_SET: u32 = 744;
const VIBRATION_SET: u32 = 900;
const VIBRATION_STOP: u32 = 901;
/// `RpcMessage.type` of a request.
const REQUEST: u64 = 1;
/// The vibration frequency asked for, in Hz.
const VIBRATION_FREQUENCY: u64 = 100;
/// Positions and speeds are steps of 0–100, the messages want 0.0–1.0.
const STEPS: f32 = 100.0;

/// The protocol for any `thehandy-v3` device.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TheHandyV3 {
        model: model_from_name(device_name).to_owned(),
        next_id: 0,
    }))
}

/// The model part of an `OHD_hw4_…` name; `unknown` (the defaults) for other names.
fn model_from_name(name: &str) -> &str {
    let mut parts = name.split('_');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(model), Some(_)) => model,
        _ => "unknown",
    }
}

/// A request numbered `id` whose params, in field `params_field`, are `params`.
fn request(id: u32, params_field: u32, params: &[u8]) -> Vec<u8> {
    let mut request = Vec::new();
    protobuf::uint(&mut request, REQUEST_ID, u64::from(id));
    protobuf::message(&mut request, params_field, params);
    let mut rpc = Vec::new();
    protobuf::uint(&mut rpc, RPC_TYPE, REQUEST);
    protobuf::message(&mut rpc, RPC_REQUEST, &request);
    rpc
}

fn steps_to_fraction(value: i32) -> f32 {
    // Values are 0–100: exact in an f32.
    value.clamp(0, 100) as f32 / STEPS
}

#[derive(Debug)]
struct TheHandyV3 {
    /// The model's identifier, from the advertised name.
    model: String,
    /// The id of the next command.
    next_id: u32,
}

impl TheHandyV3 {
    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    fn packet(&mut self, command: OutputCommand) -> Option<Vec<u8>> {
        let mut params = Vec::new();
        let field = match command {
            OutputCommand::HwPositionWithDuration(move_to) => {
                protobuf::float(&mut params, 1, steps_to_fraction(move_to.value));
                protobuf::uint(&mut params, 2, u64::from(move_to.duration));
                POSITION_IN_TIME_SET
            }
            OutputCommand::Vibrate(speed) if speed.value == 0 => VIBRATION_STOP,
            OutputCommand::Vibrate(speed) => {
                protobuf::float(&mut params, 1, steps_to_fraction(speed.value));
                protobuf::uint(&mut params, 2, VIBRATION_FREQUENCY);
                VIBRATION_SET
            }
            _ => return None,
        };
        Some(request(self.take_id(), field, &params))
    }
}

impl Protocol for TheHandyV3 {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let mut answers = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            for (id, question) in [(1, BATTERY_GET), (2, CAPABILITIES_GET)] {
                let packet = request(id, question, &[]);
                hardware
                    .write(HardwareWrite::new(Endpoint::Tx, packet, false))
                    .await?;
                // The answer says nothing the driver needs; it is waited for so the device
                // is not hurried.
                next_notification(&mut answers, Endpoint::Rx, READ_TIMEOUT).await?;
            }
            Ok(Some(self.model.clone()))
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, true, |_, command| self.packet(command))
    }
}

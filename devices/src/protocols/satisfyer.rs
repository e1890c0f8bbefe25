//! Satisfyer (`satisfyer`): every model shares one packet shape and tells its model number
//! when asked.
//!
//! | when | endpoint | bytes |
//! |---|---|---|
//! | identification | read `rxblemodel` | the model number, a big-endian `u32` (`00 00 27 15` = 10005, the Hot Spot) |
//! | initialisation | `command`, with response | `01` |
//! | then, and on every change | `tx` | each vibrator's speed (0–100) four times, in feature order: `a a a a b b b b …` |
//!
//! The device stops unless it hears its packet again every half second, so the current speeds
//! are repeated whenever nothing was written for that long (the scheduler's keep-alive), from
//! the moment it is connected: initialisation ends with a stop packet for that reason.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, output_layout, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// How long the device keeps going without hearing its packet again.
const REPEAT: Duration = Duration::from_millis(500);
/// Each vibrator's speed is sent this many times over.
const COPIES: usize = 4;

/// The protocol for any `satisfyer` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Satisfyer::default()))
}

/// The database identifier for a model-number read: the number in decimal. An answer of
/// another length reads as model 0, which no model has (the protocol's defaults apply).
pub(super) fn model_number(data: &[u8]) -> String {
    let number = <[u8; 4]>::try_from(data).map_or(0, u32::from_be_bytes);
    number.to_string()
}

#[derive(Debug, Default)]
struct Satisfyer {
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
}

impl Satisfyer {
    fn packet(&self, state: &OutputState) -> Vec<u8> {
        self.layout
            .iter()
            .flat_map(|&(feature, output_type)| {
                [byte(value_of(state, feature, output_type)); COPIES]
            })
            .collect()
    }
}

impl Protocol for Satisfyer {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let data = hardware.read(Endpoint::RxBleModel, READ_TIMEOUT).await?;
            Ok(Some(model_number(&data)))
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.layout = output_layout(&model.features);
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        let mut writes = vec![HardwareWrite::new(Endpoint::Command, [0x01], true)];
        // Something to repeat from the start: every motor off.
        writes.extend(tx(self.packet(&OutputState::new()), false));
        writes
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx(self.packet(state), false)
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT)
    }
}

//! Cueme (`cueme`): advertised as `FUNCODE_<anything>_<model>`, the last part (`1`, `2`, `3`)
//! naming the model. The device runs one motor at a time: a single byte on tx, without
//! response, `(motor + 1) << 4 | level` (motor counted from 0, level 0–15), or `00` to stop.
//! With several motors asked to run, the device is switched from one running motor to the
//! next every half second (the scheduler's keep-alive, only while more than one runs).
//!
//! (buttplug-rs has no driver for this protocol; the packet and the alternation are from
//! Buttplug's C# implementation, `CuemeProtocol`.)

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, motor_number, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{Identification, OutputState, Protocol};

/// How long each running motor runs before the next one's turn.
const TURN: Duration = Duration::from_millis(500);
/// The highest level.
const TOP_LEVEL: i32 = 15;

/// The protocol for any `cueme` device.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Cueme {
        model: model_from_name(device_name).to_owned(),
        motors: Vec::new(),
        levels: Vec::new(),
        turn: 0,
    }))
}

/// The model part of a `FUNCODE_…_3` name; `Unknown` (the defaults) for other names.
fn model_from_name(name: &str) -> &str {
    let parts: Vec<&str> = name.split('_').collect();
    match parts.as_slice() {
        [_, _, model] => model,
        _ => "Unknown",
    }
}

#[derive(Debug)]
struct Cueme {
    /// The model's identifier, from the advertised name.
    model: String,
    /// The features with a motor, in order.
    motors: Vec<u32>,
    /// Each motor's level, as last asked.
    levels: Vec<u8>,
    /// Which motor (position in `motors`) has the device now.
    turn: usize,
}

impl Cueme {
    fn running(&self) -> usize {
        self.levels.iter().filter(|&&level| level != 0).count()
    }

    /// The first running motor from `start` on, wrapping around.
    fn running_from(&self, start: usize) -> Option<usize> {
        let count = self.levels.len();
        (0..count)
            .map(|offset| (start + offset) % count)
            .find(|&motor| self.levels[motor] != 0)
    }

    /// The packet giving the device to the motor whose turn it is.
    fn packet(&self) -> Vec<HardwareWrite> {
        let level = self.levels.get(self.turn).copied().unwrap_or(0);
        let data = if level == 0 {
            0x00
        } else {
            let motor = u32::try_from(self.turn).unwrap_or(u32::MAX);
            motor_number(motor) << 4 | level
        };
        tx([data], false)
    }
}

impl Protocol for Cueme {
    fn identification(&self) -> Identification {
        Identification::Fixed(self.model.clone())
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.motors = model
            .features
            .iter()
            .filter(|feature| feature.output.contains_key(&OutputType::Vibrate))
            .map(|feature| feature.feature_index)
            .collect();
        self.levels = vec![0; self.motors.len()];
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        for (level, &feature) in self.levels.iter_mut().zip(&self.motors) {
            *level = byte(value_of(state, feature, OutputType::Vibrate).min(TOP_LEVEL));
        }
        // The motor that has the device keeps it while it runs; else the next running one.
        self.turn = self.running_from(self.turn).unwrap_or(0);
        self.packet()
    }

    fn keepalive(&self) -> Option<Duration> {
        (self.running() > 1).then_some(TURN)
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        self.turn = self.running_from(self.turn + 1).unwrap_or(0);
        self.packet()
    }
}

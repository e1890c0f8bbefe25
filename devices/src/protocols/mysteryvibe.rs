//! MysteryVibe (`mysteryvibe`): the Crescendo, Tenuto and Poco.
//!
//! | when | endpoint | bytes |
//! |---|---|---|
//! | initialisation | `txmode`, with response | `43 02 00` |
//! | then, and on every change | `txvibrate` | every motor's speed (0–56), in feature order |
//!
//! The motors stop unless they hear their speeds again within about a tenth of a second, so
//! the packet is repeated every 93 ms the device hears nothing (the scheduler's keep-alive),
//! from the moment it is connected: initialisation ends with the all-zeros packet, written at
//! once, and that is what is repeated until the first command.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// How often the device must hear its speeds.
const REPEAT_EVERY: Duration = Duration::from_millis(93);

/// The protocol for any `mysteryvibe` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MysteryVibe::with_mode([0x43, 0x02, 0x00])))
}

/// The protocol of both MysteryVibe generations, which differ only in the mode packet.
#[derive(Debug)]
pub(super) struct MysteryVibe {
    /// Written to `txmode` once connected.
    mode: [u8; 3],
    /// The features with a motor, in order.
    motors: Vec<u32>,
}

impl MysteryVibe {
    pub(super) fn with_mode(mode: [u8; 3]) -> Self {
        Self {
            mode,
            motors: Vec::new(),
        }
    }

    fn packet(&self, state: &OutputState) -> HardwareWrite {
        let speeds: Vec<u8> = self
            .motors
            .iter()
            .map(|&feature| byte(value_of(state, feature, OutputType::Vibrate)))
            .collect();
        HardwareWrite::new(Endpoint::TxVibrate, speeds, false)
    }
}

impl Protocol for MysteryVibe {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.motors = model
            .features
            .iter()
            .filter(|feature| !feature.output.is_empty())
            .map(|feature| feature.feature_index)
            .collect();
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        // The stop packet at once, not a keep-alive later: the motors must hear their speeds
        // from the start.
        vec![
            HardwareWrite::new(Endpoint::TxMode, self.mode, true),
            self.packet(&OutputState::new()),
        ]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        vec![self.packet(state)]
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT_EVERY)
    }
}

//! Svakom v4 (`svakom-v4`): the vibrators on features 0 and 1 share one packet on tx, without
//! response, `55 03 MODE 00 ON SPEED 00`: `SPEED` is the faster one's speed (0–10), `ON` is 1
//! while either runs, and `MODE` says which run: 0 for both (or one-vibrator models, or both
//! at one speed), 1 for the first alone, 2 for the second alone. Svakom v5 and v6 send the
//! same pair packet.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{tx, vibration, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// What `ON` says while either vibrator runs.
const RUNNING: u8 = 0x01;

/// The protocol for any `svakom-v4` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPair::new(RUNNING)))
}

/// The vibrator pair on features 0 and 1 in one packet, as Svakom v4, v6 and Barney send it.
#[derive(Debug)]
pub(super) struct VibratorPair {
    /// Whether the model has one vibrator, which always runs in mode 0.
    single: bool,
    /// What `ON` says while either vibrator runs.
    running: u8,
}

impl VibratorPair {
    /// A pair whose packet says `running` as `ON` while either vibrator runs.
    pub(super) fn new(running: u8) -> Self {
        Self {
            single: false,
            running,
        }
    }

    /// The pair packet, when `changed` touches the pair.
    pub(super) fn packet(
        &self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Option<Vec<u8>> {
        let pair_changed = changed
            .iter()
            .any(|(f, c)| *f < 2 && c.output_type() == OutputType::Vibrate);
        if !pair_changed {
            return None;
        }
        let (first, second) = (vibration(state, 0), vibration(state, 1));
        let mode = if self.single || (first > 0 && second > 0) || first == second {
            0x00
        } else if first > 0 {
            0x01
        } else {
            0x02
        };
        let on = if first > 0 || second > 0 {
            self.running
        } else {
            0x00
        };
        Some(vec![0x55, 0x03, mode, 0x00, on, first.max(second), 0x00])
    }
}

impl Protocol for VibratorPair {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.single = vibrator_count(&model.features) == 1;
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        self.packet(changed, state)
            .map_or_else(Vec::new, |packet| tx(packet, false))
    }
}

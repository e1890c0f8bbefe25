//! WeVibe, 4-bit (`wevibe`): both motors in one packet, speeds 0–15 as nibbles,
//! `0f 03 00 (int<<4 | ext) 00 03 00 00` on tx, with response. Single-motor models drive both
//! from feature 0. The 8-bit protocol shares the motor pairing and the stop packet.

use plugwire_core::message::{DeviceFeature, OutputCommand};

use super::packet::{tx, vibration, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// What every WeVibe model takes to stop both motors.
pub(super) const STOP: [u8; 8] = [0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

/// Feature 0 is the internal motor, feature 1 (on dual-motor models) the external one;
/// single-motor models drive both from feature 0.
pub(super) fn motors(state: &OutputState, dual: bool) -> (u8, u8) {
    let internal = vibration(state, 0);
    let external = if dual { vibration(state, 1) } else { internal };
    (internal, external)
}

/// Whether a model has two motors.
pub(super) fn is_dual(features: &[DeviceFeature]) -> bool {
    vibrator_count(features) > 1
}

/// The protocol for any `wevibe` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(WeVibe::default()))
}

#[derive(Debug, Default)]
struct WeVibe {
    /// Whether the model has two motors.
    dual: bool,
}

impl Protocol for WeVibe {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = is_dual(&model.features);
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![
            HardwareWrite::new(
                Endpoint::Tx,
                [0x0f, 0x03, 0x00, 0x99, 0x00, 0x03, 0x00, 0x00],
                true,
            ),
            HardwareWrite::new(Endpoint::Tx, STOP, true),
        ]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (internal, external) = motors(state, self.dual);
        if internal == 0 && external == 0 {
            return tx(STOP, true);
        }
        let speeds = (external & 0x0f) | (internal << 4);
        tx([0x0f, 0x03, 0x00, speeds, 0x00, 0x03, 0x00, 0x00], true)
    }
}

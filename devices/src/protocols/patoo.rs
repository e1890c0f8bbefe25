//! Patoo (`patoo`): advertised as the model's letters followed by digits (`PTVEA1234`); the
//! letters identify the model. One speed (0–100) on tx, then a mode on `txmode`, both with
//! response: the first vibrator's speed with mode 04; while the first is stopped, the
//! second's speed with mode 80; with both stopped, speed 00 and mode 00.

use plugwire_core::message::OutputCommand;

use super::packet::vibration;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{Identification, OutputState, Protocol};

/// The mode running the first vibrator.
const FIRST_VIBRATOR: u8 = 0x04;
/// The mode running the second vibrator.
const SECOND_VIBRATOR: u8 = 0x80;
/// The mode with every motor stopped.
const STOPPED: u8 = 0x00;

/// The protocol for any `patoo` device.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Patoo {
        model: model_letters(device_name).to_owned(),
    }))
}

/// The model part of an advertised name: everything before the first digit.
fn model_letters(name: &str) -> &str {
    name.find(|c: char| c.is_ascii_digit())
        .map_or(name, |digits| &name[..digits])
}

#[derive(Debug)]
struct Patoo {
    /// The identifier of the model, from the advertised name.
    model: String,
}

impl Protocol for Patoo {
    fn identification(&self) -> Identification {
        Identification::Fixed(self.model.clone())
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (first, second) = (vibration(state, 0), vibration(state, 1));
        let (speed, mode) = match (first, second) {
            (0, 0) => (0, STOPPED),
            (0, second) => (second, SECOND_VIBRATOR),
            (first, _) => (first, FIRST_VIBRATOR),
        };
        vec![
            HardwareWrite::new(Endpoint::Tx, [speed], true),
            HardwareWrite::new(Endpoint::TxMode, [mode], true),
        ]
    }
}

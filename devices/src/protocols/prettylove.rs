//! Pretty Love (`prettylove`): vibrate 0–3 as `00 SPEED` on tx, with response. Every model
//! identifies as `Aogu BLE`, whatever the number its advertised name carries.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{Identification, OutputState, Protocol};

/// The identifier every model goes by in the configuration.
const IDENTIFIER: &str = "Aogu BLE";

/// The protocol for any `prettylove` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(PrettyLove))
}

#[derive(Debug)]
struct PrettyLove;

impl Protocol for PrettyLove {
    fn identification(&self) -> Identification {
        Identification::Fixed(IDENTIFIER.to_owned())
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0x00, vibration(state, 0)], true)
    }
}

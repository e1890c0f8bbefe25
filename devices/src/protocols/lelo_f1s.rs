//! Lelo F1s (`lelo-f1s`): both vibrators in one packet on tx, without response,
//! `01 FIRST SECOND` (0–100 each), on every change of either.
//!
//! The device takes commands only once the user has pressed its power button after
//! connecting; rx is subscribed at connection, as the device expects, so that press is heard
//! rather than turning the device off.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration, vibration_changed};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{Identification, OutputState, Protocol};

/// The protocol for any `lelo-f1s` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LeloF1s))
}

/// The packet for both vibrators, written when one of them changed (Lelo F1s V2 sends it too,
/// with response).
pub(super) fn pair_writes(
    changed: &[(u32, OutputCommand)],
    state: &OutputState,
    with_response: bool,
) -> Vec<HardwareWrite> {
    if !vibration_changed(changed) {
        return Vec::new();
    }
    tx(
        [0x01, vibration(state, 0), vibration(state, 1)],
        with_response,
    )
}

#[derive(Debug)]
struct LeloF1s;

impl Protocol for LeloF1s {
    fn identification(&self) -> Identification {
        Identification::Subscribe(Endpoint::Rx)
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        pair_writes(changed, state, false)
    }
}

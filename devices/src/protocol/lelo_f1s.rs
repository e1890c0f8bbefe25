//! Lelo F1s (`lelo-f1s`): both vibrators in one packet on tx, without response,
//! `01 FIRST SECOND` (0–100 each), on every change of either.
//!
//! The device takes commands only once the user has pressed its power button after
//! connecting; rx is subscribed at connection, as the device expects, so that press is heard
//! rather than turning the device off.

use futures::future::BoxFuture;
use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{subscribe_rx, tx, vibration, vibration_changed};
use crate::hardware::{Hardware, HardwareError, HardwareWrite};
use crate::scheduler::OutputState;

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
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        subscribe_rx(hardware)
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        pair_writes(changed, state, false)
    }
}

//! Pretty Love (`prettylove`): vibrate 0–3 as `00 SPEED` on tx, with response. Every model
//! identifies as `Aogu BLE`, whatever the number its advertised name carries.

use futures::future::BoxFuture;
use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{fixed_identifier, tx, vibration};
use crate::hardware::{Hardware, HardwareError, HardwareWrite};
use crate::scheduler::OutputState;

/// The identifier every model goes by in the configuration.
const IDENTIFIER: &str = "Aogu BLE";

/// The protocol for any `prettylove` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(PrettyLove))
}

#[derive(Debug)]
struct PrettyLove;

impl Protocol for PrettyLove {
    fn identify<'a>(
        &'a mut self,
        _hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        fixed_identifier(IDENTIFIER)
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0x00, vibration(state, 0)], true)
    }
}

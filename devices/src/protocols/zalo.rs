//! Zalo (`zalo`): both motors (speeds 1–8) in `RUN FIRST SECOND` on tx, with response.
//! `RUN` is 01 while either motor runs and 02 once both stopped; a stopped motor's speed is
//! sent as 01 all the same. One-motor models send 01 for the missing second one.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `zalo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Zalo))
}

#[derive(Debug)]
struct Zalo;

impl Protocol for Zalo {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (first, second) = (vibration(state, 0), vibration(state, 1));
        let run = if first == 0 && second == 0 {
            0x02
        } else {
            0x01
        };
        tx([run, first.max(1), second.max(1)], true)
    }
}

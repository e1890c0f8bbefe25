//! Love Distance (`lovedistance`): once connected, `f3 00 00` then `f4 01`; vibrate 0–121 as
//! `f3 00 SPEED`. All on tx without response.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `lovedistance` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LoveDistance))
}

#[derive(Debug)]
struct LoveDistance;

impl Protocol for LoveDistance {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![
            HardwareWrite::new(Endpoint::Tx, [0xf3, 0x00, 0x00], false),
            HardwareWrite::new(Endpoint::Tx, [0xf4, 0x01], false),
        ]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0xf3, 0x00, vibration(state, 0)], false)
    }
}

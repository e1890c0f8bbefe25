//! WeToy (`wetoy`): on tx, with response, vibrate 1–3 as `b2 SPEED-1`; `80 03` stops it, and
//! is also sent once connected.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The stop packet, also the initialisation.
const STOP: [u8; 2] = [0x80, 0x03];

/// The protocol for any `wetoy` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(WeToy))
}

#[derive(Debug)]
struct WeToy;

impl Protocol for WeToy {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![HardwareWrite::new(Endpoint::Tx, STOP, true)]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        match vibration(state, 0) {
            0 => tx(STOP, true),
            speed => tx([0xb2, speed - 1], true),
        }
    }
}

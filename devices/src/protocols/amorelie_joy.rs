//! Amorelie Joy (`amorelie-joy`): on tx, without response, `03` once connected, then
//! `01 01 SPEED` for the vibrator (pattern 1: steady), speed 0–100.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `amorelie-joy` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(AmorelieJoy))
}

#[derive(Debug)]
struct AmorelieJoy;

impl Protocol for AmorelieJoy {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        tx([0x03], false)
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0x01, 0x01, vibration(state, 0)], false)
    }
}

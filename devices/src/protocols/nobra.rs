//! Nobra (`nobra`): Nobra's Silicone Dreams toys, over Bluetooth LE or a serial port. One byte
//! on tx, without response: `0x70` is off, `0x60 + speed` runs the vibrator at speed 1–15.
//! The device is switched off (`0x70`) once connected.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The byte that turns the vibrator off.
const OFF: u8 = 0x70;

/// The protocol for any `nobra` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Nobra))
}

#[derive(Debug)]
struct Nobra;

/// The byte for a speed.
fn packet(speed: u8) -> u8 {
    match speed {
        0 => OFF,
        speed => 0x60_u8.saturating_add(speed),
    }
}

impl Protocol for Nobra {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        tx([OFF], false)
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([packet(vibration(state, 0))], false)
    }
}

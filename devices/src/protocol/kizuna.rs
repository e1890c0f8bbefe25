//! Kizuna (`kizuna`): the Kizuna Smart, on a serial port. A text line on tx, without response:
//! the rotation speed 0–9 as one ASCII digit, then `\r\n`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::per_output;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `kizuna` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Kizuna))
}

#[derive(Debug)]
struct Kizuna;

impl Protocol for Kizuna {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            if command.output_type() != OutputType::Rotate {
                return None;
            }
            // The range is 0–9; anything else is clamped to a digit.
            let digit = u8::try_from(command.value().clamp(0, 9)).unwrap_or(0);
            Some(vec![b'0' + digit, b'\r', b'\n'])
        })
    }
}

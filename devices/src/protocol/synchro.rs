//! Synchro (`synchro`): rotate −6–6 as `a1 01 SPEED 77 55` on tx, without response; the top
//! bit of `SPEED` is set for counter-clockwise.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::{byte, per_output};
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `synchro` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Synchro))
}

#[derive(Debug)]
struct Synchro;

impl Protocol for Synchro {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            (command.output_type() == OutputType::Rotate).then(|| {
                let value = command.value();
                let counter_clockwise = if value < 0 { 0x80 } else { 0x00 };
                let speed = byte(value.saturating_abs()) | counter_clockwise;
                vec![0xa1, 0x01, speed, 0x77, 0x55]
            })
        })
    }
}

//! Sexverse, second protocol (`sexverse-v2`): `aa 04` once connected, then one packet per
//! motor, `aa 03 01 (feature + 1) 64 SPEED`, all on tx with response. Vibrators and
//! oscillators only.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, motor_number, per_output};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `sexverse-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SexverseV2))
}

#[derive(Debug)]
struct SexverseV2;

impl Protocol for SexverseV2 {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![HardwareWrite::new(Endpoint::Tx, [0xaa, 0x04], true)]
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, true, |feature, command| {
            matches!(
                command.output_type(),
                OutputType::Vibrate | OutputType::Oscillate
            )
            .then(|| {
                vec![
                    0xaa,
                    0x03,
                    0x01,
                    motor_number(feature),
                    0x64,
                    byte(command.value()),
                ]
            })
        })
    }
}

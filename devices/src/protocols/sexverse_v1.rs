//! Sexverse, first protocol (`sexverse-v1`): every motor in one packet on tx, without
//! response: `23 07 LEN` then, per output in feature order, `(80 | motor number) TYPE SPEED`,
//! and an XOR of all bytes before it. Motors are numbered from 1; `TYPE` is 03 for a
//! vibrator, 04 for a pump (oscillate or constrict), 06 for a rotator.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, output_layout, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `sexverse-v1` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SexverseV1::default()))
}

/// The packet's code for a kind of motor.
fn motor_type(output_type: OutputType) -> u8 {
    match output_type {
        OutputType::Rotate => 0x06,
        OutputType::Oscillate | OutputType::Constrict => 0x04,
        _ => 0x03,
    }
}

#[derive(Debug, Default)]
struct SexverseV1 {
    /// Every output of the model, in feature order: the packet's motors.
    motors: Vec<(u32, OutputType)>,
}

impl Protocol for SexverseV1 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.motors = output_layout(&model.features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        // Three bytes a motor; the database has three motors at most.
        let length = u8::try_from(self.motors.len() * 3).unwrap_or(u8::MAX);
        let mut packet = vec![0x23, 0x07, length];
        for (number, &(feature, output_type)) in (1u8..).zip(&self.motors) {
            packet.extend([
                0x80 | number,
                motor_type(output_type),
                byte(value_of(state, feature, output_type)),
            ]);
        }
        packet.push(packet.iter().fold(0, |check, b| check ^ b));
        tx(packet, false)
    }
}

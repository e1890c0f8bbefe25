//! Utimi (`utimi`): every motor in one packet on tx, without response, `a0 03 S0 S1 S2 S3 S4
//! aa`, the feature index being the slot: the vibrator on feature 0 and the thrusting
//! (oscillating) motor on feature 1, 0–255 each; the other slots stay 0.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, tx, value_of};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// Motor slots in the packet.
const SLOTS: u32 = 5;

/// The protocol for any `utimi` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Utimi))
}

fn is_motor(output_type: OutputType) -> bool {
    matches!(output_type, OutputType::Vibrate | OutputType::Oscillate)
}

#[derive(Debug)]
struct Utimi;

impl Protocol for Utimi {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !changed
            .iter()
            .any(|(f, c)| *f < SLOTS && is_motor(c.output_type()))
        {
            return Vec::new();
        }
        let mut packet = vec![0xa0, 0x03];
        packet.extend((0..SLOTS).map(|feature| {
            let speed = value_of(state, feature, OutputType::Vibrate).max(value_of(
                state,
                feature,
                OutputType::Oscillate,
            ));
            byte(speed)
        }));
        packet.push(0xaa);
        tx(packet, false)
    }
}

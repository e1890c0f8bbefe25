//! Sexverse, sixth protocol (`sexverse-v6`): vibrator, oscillator and suction in one packet,
//! `aa 03 03 VIBRATE OSCILLATE SUCTION` on tx, without response. Each value has its place by
//! output type, whichever feature carries it (suction is the constrict output).

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, tx, value_of_type};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `sexverse-v6` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SexverseV6))
}

#[derive(Debug)]
struct SexverseV6;

impl Protocol for SexverseV6 {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speed = |t| byte(value_of_type(state, t));
        tx(
            [
                0xaa,
                0x03,
                0x03,
                speed(OutputType::Vibrate),
                speed(OutputType::Oscillate),
                speed(OutputType::Constrict),
            ],
            false,
        )
    }
}

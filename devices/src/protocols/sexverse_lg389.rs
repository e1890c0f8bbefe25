//! Sexverse LG389 (`sexverse-lg389`): vibrator and oscillator in one packet on tx, with
//! response: `aa 05 VIBRATE 14 ANCHOR 00 RANGE 00 OSCILLATE 00`. While the oscillator runs it
//! is anchored to the base (`ANCHOR` 1) and swings its full range (`RANGE` 4); both are 0
//! when it is off.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, tx, value_of_type};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `sexverse-lg389` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SexverseLg389))
}

#[derive(Debug)]
struct SexverseLg389;

impl Protocol for SexverseLg389 {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let vibrate = byte(value_of_type(state, OutputType::Vibrate));
        let oscillate = byte(value_of_type(state, OutputType::Oscillate));
        let running = u8::from(oscillate != 0);
        tx(
            [
                0xaa,
                0x05,
                vibrate,
                0x14,
                running,
                0x00,
                running * 4,
                0x00,
                oscillate,
                0x00,
            ],
            true,
        )
    }
}

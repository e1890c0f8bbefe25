//! Magic Motion, first generation (`magic-motion-1`).

use plugwire_core::message::{OutputCommand, OutputType};

use super::{Protocol, byte, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::scheduler::OutputState;

/// Vibrate 0–100 as `0b ff 04 0a 32 32 00 04 08 VV 64 00` on tx, without response.
#[derive(Debug, Default)]
pub struct MagicMotion1;

impl Protocol for MagicMotion1 {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let value = byte(value_of(state, 0, OutputType::Vibrate));
        vec![HardwareWrite::new(
            Endpoint::Tx,
            [
                0x0b, 0xff, 0x04, 0x0a, 0x32, 0x32, 0x00, 0x04, 0x08, value, 0x64, 0x00,
            ],
            false,
        )]
    }
}

//! Vibrators whose command is one short packet: Kiiroo v2.1 (`01 VV`) and Svakom v1
//! (`55 04 03 00 M VV`).

use plugwire_core::message::{OutputCommand, OutputType};

use super::{Protocol, byte, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::scheduler::OutputState;

/// `kiiroo-v21`: vibrate 0–100 as `01 VV` on tx, without response.
#[derive(Debug, Default)]
pub struct KiirooV21;

impl Protocol for KiirooV21 {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let value = byte(value_of(state, 0, OutputType::Vibrate));
        vec![HardwareWrite::new(Endpoint::Tx, [0x01, value], false)]
    }
}

/// `svakom-v1`: vibrate 0–19 as `55 04 03 00 M VV` (M is 1 while running), without response.
#[derive(Debug, Default)]
pub struct SvakomV1;

impl Protocol for SvakomV1 {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let value = byte(value_of(state, 0, OutputType::Vibrate));
        let running = u8::from(value > 0);
        vec![HardwareWrite::new(
            Endpoint::Tx,
            [0x55, 0x04, 0x03, 0x00, running, value],
            false,
        )]
    }
}

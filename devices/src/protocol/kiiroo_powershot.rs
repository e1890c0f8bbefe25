//! Kiiroo PowerShot (`kiiroo-powershot`): both vibrators (0–100) in one packet,
//! `01 00 00 FIRST SECOND 00` on tx, with response.

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `kiiroo-powershot` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooPowerShot))
}

#[derive(Debug)]
struct KiirooPowerShot;

impl Protocol for KiirooPowerShot {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let packet = [
            0x01,
            0x00,
            0x00,
            vibration(state, 0),
            vibration(state, 1),
            0x00,
        ];
        tx(packet, true)
    }
}

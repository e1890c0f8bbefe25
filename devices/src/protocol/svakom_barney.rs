//! Svakom Barney (`svakom-barney`): both vibrators (0–10) share Svakom v4's pair packet on
//! tx, without response, `55 03 MODE 00 ON SPEED 00`, except that `ON` is 3 while either
//! runs.

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{tx, vibrator_count};
use super::svakom_v4::{pair_changed, pair_packet};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// Where the pair packet says whether a vibrator runs.
const ON_AT: usize = 4;
/// What Barney takes there while one does.
const RUNNING: u8 = 0x03;

/// The protocol for any `svakom-barney` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomBarney::default()))
}

#[derive(Debug, Default)]
struct SvakomBarney {
    /// Whether the model has one vibrator.
    single: bool,
}

impl Protocol for SvakomBarney {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.single = vibrator_count(&model.features) == 1;
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !pair_changed(changed) {
            return Vec::new();
        }
        let mut packet = pair_packet(state, self.single);
        if let Some(on) = packet.get_mut(ON_AT).filter(|on| **on != 0) {
            *on = RUNNING;
        }
        packet.push(0x00);
        tx(packet, false)
    }
}

//! Kiiroo v2 vibrators (`kiiroo-v2-vibrator`): the Pearl 2, Titan, OhMiBod Fuse and PornHub
//! toys. Three vibrator speeds (0–100) in one packet, `FIRST SECOND THIRD` on tx without
//! response, whatever number of vibrators the model has (the others stay 0).

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `kiiroo-v2-vibrator` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooV2Vibrator))
}

#[derive(Debug)]
struct KiirooV2Vibrator;

impl Protocol for KiirooV2Vibrator {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0, 1, 2].map(|feature| vibration(state, feature)), false)
    }
}

//! Kiiroo, first generation (`kiiroo-v1`): the Pearl vibrator and the Onyx stroker, both
//! driven by ASCII text on tx without response: the level 0–4 followed by `,\n` (`3,\n`).
//! On the Pearl the level is the vibration speed; on the Onyx it is where its rings close,
//! reached as fast as the rings go (the move's duration has no place in the packet).
//!
//! (buttplug-rs has no driver for this protocol; the packet is from Buttplug's protocol
//! documentation, STPIHKAL, "Kiiroo Onyx/Pearl 1".)

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::per_output;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The highest level the devices take.
const TOP_LEVEL: i32 = 4;

/// The protocol for any `kiiroo-v1` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooV1))
}

#[derive(Debug)]
struct KiirooV1;

impl Protocol for KiirooV1 {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            let level = match command {
                OutputCommand::Vibrate(speed) => speed.value,
                OutputCommand::HwPositionWithDuration(move_to) => move_to.value,
                _ => return None,
            };
            Some(format!("{},\n", level.clamp(0, TOP_LEVEL)).into_bytes())
        })
    }
}

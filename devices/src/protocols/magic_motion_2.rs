//! Magic Motion, second generation (`magic-motion-2`): both vibrators (0–100) in one packet on
//! tx, without response, `10 ff 04 0a 32 0a 00 04 08 FIRST 64 00 04 08 SECOND 64 01`; a
//! one-vibrator model sends 0 as the second. Vibrators only: as in buttplug-rs, the Jive's
//! oscillator is not driven. The battery is the standard BLE one.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration, vibration_changed};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `magic-motion-2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MagicMotion2))
}

#[derive(Debug)]
struct MagicMotion2;

impl Protocol for MagicMotion2 {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !vibration_changed(changed) {
            return Vec::new();
        }
        tx(
            [
                0x10,
                0xff,
                0x04,
                0x0a,
                0x32,
                0x0a,
                0x00,
                0x04,
                0x08,
                vibration(state, 0),
                0x64,
                0x00,
                0x04,
                0x08,
                vibration(state, 1),
                0x64,
                0x01,
            ],
            false,
        )
    }
}

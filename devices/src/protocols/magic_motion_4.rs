//! Magic Motion, fourth generation (`magic-motion-4`): two motor slots (0–100) in one packet on
//! tx, with response, `10 ff 04 0a 32 32 00 04 08 FIRST 64 00 04 08 SECOND 64 01`. A model
//! with one output drives both slots with it. The battery is the standard BLE one.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `magic-motion-4` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MagicMotion4::default()))
}

#[derive(Debug, Default)]
struct MagicMotion4 {
    /// Whether the model has one output (the battery is not one).
    single: bool,
}

impl Protocol for MagicMotion4 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.single = model
            .features
            .iter()
            .filter(|f| !f.output.is_empty())
            .count()
            == 1;
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let first = vibration(state, 0);
        let second = if self.single {
            first
        } else {
            vibration(state, 1)
        };
        tx(
            [
                0x10, 0xff, 0x04, 0x0a, 0x32, 0x32, 0x00, 0x04, 0x08, first, 0x64, 0x00, 0x04,
                0x08, second, 0x64, 0x01,
            ],
            true,
        )
    }
}

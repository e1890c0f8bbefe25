//! We-Vibe Chorus (`wevibe-chorus`): the Chorus and the Sync 2, Sync O and Sync Lite. Both
//! motors (0–30) in one packet on tx, with response:
//! `0f 03 00 INTERNAL EXTERNAL RUNNING 00 00`, `RUNNING` having bit 0 set while the internal
//! motor (feature 0) runs and bit 1 while the external one (feature 1) does; with both stopped
//! the packet is `0f 00 00 00 00 00 00 00`. A one-motor model sends its speed as both.

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{tx, vibration, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `wevibe-chorus` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(WeVibeChorus { dual: true }))
}

#[derive(Debug)]
struct WeVibeChorus {
    /// Whether the model has an external motor of its own.
    dual: bool,
}

impl Protocol for WeVibeChorus {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = vibrator_count(&model.features) > 1;
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let internal = vibration(state, 0);
        let external = vibration(state, u32::from(self.dual));
        let packet = if internal == 0 && external == 0 {
            [0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        } else {
            let running = u8::from(internal != 0) | u8::from(external != 0) << 1;
            [0x0f, 0x03, 0x00, internal, external, running, 0x00, 0x00]
        };
        tx(packet, true)
    }
}

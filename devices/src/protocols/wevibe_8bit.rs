//! WeVibe, 8-bit (`wevibe-8bit`): `0f 03 00 (ext+3) (int+3) S 00 00` on tx, S bit 1 = external
//! on, bit 0 = internal on, with response.

use plugwire_core::message::OutputCommand;

use super::packet::tx;
use super::wevibe::{STOP, is_dual, motors};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `wevibe-8bit` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(WeVibe8Bit::default()))
}

#[derive(Debug, Default)]
struct WeVibe8Bit {
    /// Whether the model has two motors.
    dual: bool,
}

impl Protocol for WeVibe8Bit {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = is_dual(&model.features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (internal, external) = motors(state, self.dual);
        if internal == 0 && external == 0 {
            return tx(STOP, true);
        }
        let on = (u8::from(external > 0) << 1) | u8::from(internal > 0);
        tx(
            [
                0x0f,
                0x03,
                0x00,
                external.saturating_add(3),
                internal.saturating_add(3),
                on,
                0x00,
                0x00,
            ],
            true,
        )
    }
}

//! WeVibe: the 4-bit protocol (`wevibe`) and the 8-bit one (`wevibe-8bit`). Both carry both
//! motors in one packet; single-motor models drive both from feature 0.

use plugwire_core::message::{DeviceFeature, OutputCommand, OutputType};

use super::{Protocol, byte, output_layout, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::scheduler::OutputState;

const STOP: [u8; 8] = [0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

/// Feature 0 is the internal motor, feature 1 (on dual-motor models) the external one;
/// single-motor models drive both from feature 0.
fn motors(state: &OutputState, dual: bool) -> (u8, u8) {
    let internal = byte(value_of(state, 0, OutputType::Vibrate));
    let external = if dual {
        byte(value_of(state, 1, OutputType::Vibrate))
    } else {
        internal
    };
    (internal, external)
}

fn is_dual(features: &[DeviceFeature]) -> bool {
    output_layout(features)
        .iter()
        .filter(|(_, t)| *t == OutputType::Vibrate)
        .count()
        > 1
}

/// `wevibe`: speeds 0–15 as nibbles, `0f 03 00 (int<<4 | ext) 00 03 00 00`, with response.
#[derive(Debug, Default)]
pub struct WeVibe {
    /// Whether the model has two motors.
    pub dual: bool,
}

impl Protocol for WeVibe {
    fn configure(&mut self, features: &[DeviceFeature]) {
        self.dual = is_dual(features);
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![
            HardwareWrite::new(
                Endpoint::Tx,
                [0x0f, 0x03, 0x00, 0x99, 0x00, 0x03, 0x00, 0x00],
                true,
            ),
            HardwareWrite::new(Endpoint::Tx, STOP, true),
        ]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (internal, external) = motors(state, self.dual);
        let data = if internal == 0 && external == 0 {
            STOP
        } else {
            [
                0x0f,
                0x03,
                0x00,
                (external & 0x0f) | (internal << 4),
                0x00,
                0x03,
                0x00,
                0x00,
            ]
        };
        vec![HardwareWrite::new(Endpoint::Tx, data, true)]
    }
}

/// `wevibe-8bit`: `0f 03 00 (ext+3) (int+3) S 00 00`, S bit 1 = external on, bit 0 = internal
/// on, with response.
#[derive(Debug, Default)]
pub struct WeVibe8Bit {
    /// Whether the model has two motors.
    pub dual: bool,
}

impl Protocol for WeVibe8Bit {
    fn configure(&mut self, features: &[DeviceFeature]) {
        self.dual = is_dual(features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (internal, external) = motors(state, self.dual);
        let data = if internal == 0 && external == 0 {
            STOP
        } else {
            let on = (u8::from(external > 0) << 1) | u8::from(internal > 0);
            [
                0x0f,
                0x03,
                0x00,
                external.saturating_add(3),
                internal.saturating_add(3),
                on,
                0x00,
                0x00,
            ]
        };
        vec![HardwareWrite::new(Endpoint::Tx, data, true)]
    }
}

//! Vorze (`vorze-sa`): A10 Cyclone SA and UFO SA rotators.

use plugwire_core::message::{OutputCommand, OutputType};

use super::{Protocol, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::scheduler::OutputState;

/// Rotate −99–99 (negative is counter-clockwise) as `[device, 01, clockwise<<7 | speed]`,
/// with response. The device byte comes from the advertised name.
#[derive(Debug)]
pub struct VorzeSa {
    device: u8,
}

impl VorzeSa {
    /// The protocol for a device advertising `name`, if it is a known Vorze rotator.
    pub fn for_name(name: &str) -> Option<Self> {
        let name: String = name
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let device = if name.contains("cycsa") {
            0x01
        } else if name.contains("ufotw") {
            0x05
        } else if name.contains("ufo") {
            0x02
        } else {
            return None;
        };
        Some(Self { device })
    }
}

impl Protocol for VorzeSa {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let value = value_of(state, 0, OutputType::Rotate);
        let clockwise = u8::from(value >= 0) << 7;
        let speed = u8::try_from(value.unsigned_abs().min(99)).unwrap_or(99);
        vec![HardwareWrite::new(
            Endpoint::Tx,
            [self.device, 0x01, clockwise | speed],
            true,
        )]
    }
}

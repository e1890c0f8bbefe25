//! Vorze (`vorze-sa`): A10 Cyclone SA and UFO SA rotators.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::{tx, value_of};
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for a device advertising `device_name`, if it is a known Vorze rotator.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VorzeSa::for_name(device_name)?))
}

/// Rotate −99–99 (negative is counter-clockwise) as `[device, 01, clockwise<<7 | speed]`,
/// with response. The device byte comes from the advertised name.
#[derive(Debug)]
struct VorzeSa {
    device: u8,
}

impl VorzeSa {
    fn for_name(name: &str) -> Option<Self> {
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
        tx([self.device, 0x01, clockwise | speed], true)
    }
}

//! Vorze (`vorze-sa`): the A10 Cyclone SA and UFO SA rotators (`vorze-sa-single-rotator`) and
//! the UFO TW with two (`vorze-sa-dual-rotator`).

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::{tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The configuration's variants of this protocol driven here.
pub(super) const VARIANTS: &[&str] = &[SINGLE_ROTATOR, DUAL_ROTATOR];
const SINGLE_ROTATOR: &str = "vorze-sa-single-rotator";
const DUAL_ROTATOR: &str = "vorze-sa-dual-rotator";

/// The protocol for a device advertising `device_name`, if it is a known Vorze rotator.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VorzeSa::for_name(device_name)?))
}

/// Rotate −99–99 (negative is counter-clockwise), each rotator as one byte
/// `clockwise<<7 | speed`: `[device, 01, rotator]` for one, `[device, first, second]` for two,
/// with response. The device byte comes from the advertised name.
#[derive(Debug)]
struct VorzeSa {
    device: u8,
    dual: bool,
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
        Some(Self {
            device,
            dual: false,
        })
    }
}

/// One rotator's byte: direction in the top bit, speed 0–99 below.
fn rotator(state: &OutputState, feature_index: u32) -> u8 {
    let value = value_of(state, feature_index, OutputType::Rotate);
    let clockwise = u8::from(value >= 0) << 7;
    clockwise | u8::try_from(value.unsigned_abs().min(99)).unwrap_or(99)
}

impl Protocol for VorzeSa {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = model.protocol_variant.as_deref() == Some(DUAL_ROTATOR);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if self.dual {
            tx([self.device, rotator(state, 0), rotator(state, 1)], true)
        } else {
            tx([self.device, 0x01, rotator(state, 0)], true)
        }
    }
}

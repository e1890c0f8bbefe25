//! Libo Shark (`libo-shark`): both vibrators (0–3 each) in one byte on tx, without response:
//! the first one's speed in the high nibble, the second one's in the low.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `libo-shark` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LiboShark))
}

#[derive(Debug)]
struct LiboShark;

impl Protocol for LiboShark {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let first = vibration(state, 0) & 0x0f;
        let second = vibration(state, 1) & 0x0f;
        tx([first << 4 | second], false)
    }
}

//! HTK breast massager (`htk_bm`): two on/off vibrators, left (feature 0) and right
//! (feature 1), sharing one byte on tx, without response: `0b` both on, `0c` the left alone,
//! `0d` the right alone, `0f` both off.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `htk_bm` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(HtkBm))
}

#[derive(Debug)]
struct HtkBm;

impl Protocol for HtkBm {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mode = match (vibration(state, 0) > 0, vibration(state, 1) > 0) {
            (true, true) => 0x0b,
            (true, false) => 0x0c,
            (false, true) => 0x0d,
            (false, false) => 0x0f,
        };
        tx([mode], false)
    }
}

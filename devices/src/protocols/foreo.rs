//! Foreo (`foreo`): the LUNA, UFO, BEAR and KIWI lines. One packet on tx, with response:
//! `01 MODE SPEED`, the vibrator's speed 0–10. The mode byte depends on the line, which only
//! the advertised name tells (case aside):
//!
//! | name | mode |
//! |---|---|
//! | has `smart` and `2` (LUNA play smart 2) | `03` |
//! | has `fofo` or `ufo` | `01` |
//! | any other | `00` |

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for a `foreo` device advertising `device_name`.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Foreo {
        mode: mode_for(device_name),
    }))
}

/// The mode byte a device advertising `device_name` takes.
fn mode_for(device_name: &str) -> u8 {
    let name = device_name.to_lowercase();
    if name.contains("smart") && name.contains('2') {
        0x03
    } else if name.contains("fofo") || name.contains("ufo") {
        0x01
    } else {
        0x00
    }
}

#[derive(Debug)]
struct Foreo {
    mode: u8,
}

impl Protocol for Foreo {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0x01, self.mode, vibration(state, 0)], true)
    }
}

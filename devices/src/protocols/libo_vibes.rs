//! Libo vibes (`libo-vibes`): one byte per vibrator, without response. The first vibrator's
//! speed (0–100) goes to tx, the second's (0–3) to txmode. A stop of the first also writes
//! `00` to txmode, which is what stops a model with one vibrator.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::byte;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `libo-vibes` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LiboVibes))
}

#[derive(Debug)]
struct LiboVibes;

impl Protocol for LiboVibes {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        for &(feature, command) in changed {
            if command.output_type() != OutputType::Vibrate {
                continue;
            }
            let speed = byte(command.value());
            match feature {
                0 => {
                    writes.push(HardwareWrite::new(Endpoint::Tx, [speed], false));
                    if speed == 0 {
                        writes.push(HardwareWrite::new(Endpoint::TxMode, [0], false));
                    }
                }
                1 => writes.push(HardwareWrite::new(Endpoint::TxMode, [speed], false)),
                _ => {}
            }
        }
        writes
    }
}

//! Fleshy Thrust (`fleshy-thrust`): a stroker. A move is `POSITION DD DD` on tx without
//! response: the position (0–180) as one byte, then the duration in milliseconds as a
//! big-endian `u16`.

use plugwire_core::message::OutputCommand;

use super::packet::{byte, moves};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `fleshy-thrust` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(FleshyThrust))
}

#[derive(Debug)]
struct FleshyThrust;

impl Protocol for FleshyThrust {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        moves(changed)
            .map(|move_to| {
                // Longer than the two bytes can say: as long as they can.
                let duration = u16::try_from(move_to.duration).unwrap_or(u16::MAX);
                let [high, low] = duration.to_be_bytes();
                HardwareWrite::new(Endpoint::Tx, [byte(move_to.value), high, low], false)
            })
            .collect()
    }
}

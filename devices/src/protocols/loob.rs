//! Joyroid Loob (`loob`): a stroker. Initialised with `00 01 01 f4` on tx (with response); a
//! move is `PP PP DD DD` on tx without response: the position (1–1000) and the duration in
//! milliseconds (at least 1), both big-endian `u16`s.

use plugwire_core::message::OutputCommand;

use super::packet::moves;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `loob` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Loob))
}

#[derive(Debug)]
struct Loob;

impl Protocol for Loob {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![HardwareWrite::new(
            Endpoint::Tx,
            [0x00, 0x01, 0x01, 0xf4],
            true,
        )]
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        moves(changed)
            .map(|move_to| {
                let position = u16::try_from(move_to.value.clamp(1, 1000)).unwrap_or(1000);
                // Longer than the two bytes can say: as long as they can.
                let duration = u16::try_from(move_to.duration.max(1)).unwrap_or(u16::MAX);
                let mut packet = position.to_be_bytes().to_vec();
                packet.extend(duration.to_be_bytes());
                HardwareWrite::new(Endpoint::Tx, packet, false)
            })
            .collect()
    }
}

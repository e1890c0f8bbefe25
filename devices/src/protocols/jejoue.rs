//! Je Joue (`jejoue`): both vibrators (0–5) share one packet on tx, without response,
//! `PATTERN SPEED`. While the first runs its speed is sent with pattern 2, whatever the second
//! does; with the first stopped, the second's speed goes with pattern 3; with both stopped the
//! packet is `01 00`.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `jejoue` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(JeJoue))
}

#[derive(Debug)]
struct JeJoue;

impl Protocol for JeJoue {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let packet = match (vibration(state, 0), vibration(state, 1)) {
            (0, 0) => [0x01, 0x00],
            (0, second) => [0x03, second],
            (first, _) => [0x02, first],
        };
        tx(packet, false)
    }
}

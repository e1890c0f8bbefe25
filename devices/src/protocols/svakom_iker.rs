//! Svakom Iker (`svakom-iker`): both vibrators from their current speeds on tx, without
//! response, on a change of either: `55 03 03 00 01 FIRST` (0–10), then `55 07 00 00 SECOND
//! 00` (0–5) while the second runs; with both stopped, `55 07 00 00 00 00` alone.

use plugwire_core::message::OutputCommand;

use super::packet::{vibration, vibration_changed};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `svakom-iker` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomIker))
}

#[derive(Debug)]
struct SvakomIker;

impl Protocol for SvakomIker {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !vibration_changed(changed) {
            return Vec::new();
        }
        let (first, second) = (vibration(state, 0), vibration(state, 1));
        let packets = if first == 0 && second == 0 {
            vec![vec![0x55, 0x07, 0x00, 0x00, 0x00, 0x00]]
        } else {
            let mut packets = vec![vec![0x55, 0x03, 0x03, 0x00, 0x01, first]];
            if second > 0 {
                packets.push(vec![0x55, 0x07, 0x00, 0x00, second, 0x00]);
            }
            packets
        };
        packets
            .into_iter()
            .map(|data| HardwareWrite::new(Endpoint::Tx, data, false))
            .collect()
    }
}

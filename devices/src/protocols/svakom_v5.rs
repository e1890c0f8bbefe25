//! Svakom v5 (`svakom-v5`): on tx, without response, the vibrators on features 0 and 1 in
//! Svakom v4's pair packet (six bytes here, and mode 0 only when both run or both share a
//! speed, whatever the model), and the oscillator as `55 09 00 00 SPEED 00`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use super::svakom_v4::VibratorPair;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `svakom-v5` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomV5 {
        pair: VibratorPair::new(RUNNING),
    }))
}

/// What the pair packet says as `ON` while either vibrator runs, as Svakom v4's does.
const RUNNING: u8 = 0x01;

#[derive(Debug)]
struct SvakomV5 {
    /// The vibrators on features 0 and 1, never configured: v5 treats every model as having
    /// two.
    pair: VibratorPair,
}

impl Protocol for SvakomV5 {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        if let Some(mut packet) = self.pair.packet(changed, state) {
            // Six bytes: v5 leaves out the trailing 0.
            packet.pop();
            writes.push(HardwareWrite::new(Endpoint::Tx, packet, false));
        }
        writes.extend(per_output(changed, false, |_, command| {
            (command.output_type() == OutputType::Oscillate)
                .then(|| vec![0x55, 0x09, 0x00, 0x00, byte(command.value()), 0x00])
        }));
        writes
    }
}

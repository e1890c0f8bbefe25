//! Svakom v6 (`svakom-v6`): on tx, without response, the vibrators on features 0 and 1 in
//! Svakom v4's pair packet (seven bytes), a third vibrator as `55 07 00 00 ON SPEED 00`, the
//! constrictor as `55 09 00 00 LEVEL 00 00`, the rotator as `55 14 00 00 ON SPEED 00` (`ON` is
//! 1 while it runs).

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use super::svakom_v4::VibratorPair;
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `svakom-v6` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomV6 {
        pair: VibratorPair::new(RUNNING),
    }))
}

/// What the pair packet says as `ON` while either vibrator runs, as Svakom v4's does.
const RUNNING: u8 = 0x01;

#[derive(Debug)]
struct SvakomV6 {
    /// The vibrators on features 0 and 1.
    pair: VibratorPair,
}

impl Protocol for SvakomV6 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.pair.configure(model);
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        if let Some(packet) = self.pair.packet(changed, state) {
            writes.push(HardwareWrite::new(Endpoint::Tx, packet, false));
        }
        writes.extend(per_output(changed, false, |feature, command| {
            let speed = byte(command.value().saturating_abs());
            let on = u8::from(speed > 0);
            match (feature, command.output_type()) {
                (0 | 1, OutputType::Vibrate) => None,
                (_, OutputType::Vibrate) => Some(vec![0x55, 0x07, 0x00, 0x00, on, speed, 0x00]),
                (_, OutputType::Constrict) => Some(vec![0x55, 0x09, 0x00, 0x00, speed, 0x00, 0x00]),
                (_, OutputType::Rotate) => Some(vec![0x55, 0x14, 0x00, 0x00, on, speed, 0x00]),
                _ => None,
            }
        }));
        writes
    }
}

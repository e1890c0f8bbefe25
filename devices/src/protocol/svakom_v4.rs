//! Svakom v4 (`svakom-v4`): the vibrators on features 0 and 1 share one packet on tx, without
//! response, `55 03 MODE 00 ON SPEED 00`: `SPEED` is the faster one's speed (0–10), `ON` is 1
//! while either runs, and `MODE` says which run: 0 for both (or one-vibrator models, or both
//! at one speed), 1 for the first alone, 2 for the second alone. Svakom v5 and v6 send the
//! same pair packet.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::{tx, vibration, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `svakom-v4` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomV4::default()))
}

/// Whether a change touches the vibrator pair on features 0 and 1.
pub(super) fn pair_changed(changed: &[(u32, OutputCommand)]) -> bool {
    changed
        .iter()
        .any(|(f, c)| *f < 2 && c.output_type() == OutputType::Vibrate)
}

/// The packet for the vibrator pair, without a trailing byte (v4 and v6 add a 0). `single`:
/// the model has one vibrator, which always runs in mode 0.
pub(super) fn pair_packet(state: &OutputState, single: bool) -> Vec<u8> {
    let (first, second) = (vibration(state, 0), vibration(state, 1));
    let mode = if single || (first > 0 && second > 0) || first == second {
        0x00
    } else if first > 0 {
        0x01
    } else {
        0x02
    };
    let on = u8::from(first > 0 || second > 0);
    vec![0x55, 0x03, mode, 0x00, on, first.max(second)]
}

#[derive(Debug, Default)]
struct SvakomV4 {
    /// Whether the model has one vibrator.
    single: bool,
}

impl Protocol for SvakomV4 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.single = vibrator_count(&model.features) == 1;
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !pair_changed(changed) {
            return Vec::new();
        }
        let mut packet = pair_packet(state, self.single);
        packet.push(0x00);
        tx(packet, false)
    }
}

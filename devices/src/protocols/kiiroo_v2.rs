//! Kiiroo v2 (`kiiroo-v2`): the Fleshlight Launch and Kiiroo Onyx 2 linear strokers.

use plugwire_core::message::OutputCommand;

use super::packet::{LastPosition, moves};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `kiiroo-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooV2::default()))
}

/// Position 0–99 reached over a duration, written as `[position, speed]` on tx without
/// response; the device wants a speed, so the speed that covers the distance in the duration
/// is worked out. Initialised by writing `00` to the firmware endpoint.
#[derive(Debug, Default)]
struct KiirooV2 {
    /// Where the device was last sent, 0–99.
    position: LastPosition<u8>,
}

/// The Launch speed (0–1 of full speed) that covers `distance` (0–1 of the stroke) in
/// `duration_ms`: speed = 250 · (duration·90 / (distance·100))^−1.05.
pub fn launch_speed(distance: f64, duration_ms: u32) -> f64 {
    if distance <= 0.0 {
        return 0.0;
    }
    let distance = distance.min(1.0);
    250.0 * ((f64::from(duration_ms) * 90.0) / (distance * 100.0)).powf(-1.05)
}

impl Protocol for KiirooV2 {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![HardwareWrite::new(Endpoint::Firmware, [0x00], true)]
    }

    fn written(&mut self, success: bool) {
        self.position.written(success);
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        moves(changed)
            .map(|move_to| {
                let target = u8::try_from(move_to.value.clamp(0, 99)).unwrap_or(99);
                let from = self.position.move_to(target);
                let distance = f64::from(from.abs_diff(target)) / 99.0;
                // Truncated and saturating at 255, as the device firmware expects.
                let speed = (launch_speed(distance, move_to.duration) * 99.0) as u8;
                HardwareWrite::new(Endpoint::Tx, [target, speed], false)
            })
            .collect()
    }
}

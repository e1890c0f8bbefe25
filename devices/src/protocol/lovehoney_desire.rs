//! Lovehoney Desire (`lovehoney-desire`): `f3 MOTOR SPEED` on tx, with response, speeds
//! 0–127. `MOTOR` 00 sets every motor at once: what a one-motor model always gets, and what a
//! two-motor model gets while both run at one speed; otherwise each motor gets its own packet,
//! `f3 01 FIRST` then `f3 02 SECOND`.

use plugwire_core::message::OutputCommand;

use super::Protocol;
use super::packet::{tx, vibration, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The `MOTOR` byte addressing every motor.
const ALL_MOTORS: u8 = 0x00;

/// The protocol for any `lovehoney-desire` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LovehoneyDesire { dual: true }))
}

#[derive(Debug)]
struct LovehoneyDesire {
    /// Whether the model has two motors.
    dual: bool,
}

impl Protocol for LovehoneyDesire {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = vibrator_count(&model.features) > 1;
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let first = vibration(state, 0);
        if !self.dual {
            return tx([0xf3, ALL_MOTORS, first], true);
        }
        let second = vibration(state, 1);
        if first == second {
            tx([0xf3, ALL_MOTORS, first], true)
        } else {
            let mut writes = tx([0xf3, 0x01, first], true);
            writes.extend(tx([0xf3, 0x02, second], true));
            writes
        }
    }
}

//! Next Level Racing (`nextlevelracing`): the HF8 haptic gaming pad, on a serial port, with
//! eight vibrators. A text command per vibrator on tx, without response: `M` + the feature
//! index + the speed 0–255 in decimal, then `\r`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::per_output;
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `nextlevelracing` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(NextLevelRacing))
}

#[derive(Debug)]
struct NextLevelRacing;

impl Protocol for NextLevelRacing {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |feature, command| {
            (command.output_type() == OutputType::Vibrate)
                .then(|| format!("M{feature}{}\r", command.value().max(0)).into_bytes())
        })
    }
}

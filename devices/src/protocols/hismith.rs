//! Hismith (`hismith`): the original Hismith machines, the Thrusting Cup, the G011 and the
//! Wildolo. Every command is four bytes on tx, without response: `aa MOTOR SPEED SUM`, `SUM`
//! being `MOTOR + SPEED`.
//!
//! | output | `MOTOR` |
//! |---|---|
//! | oscillator (the thrusting motion), vibrator on feature 0 | `04` |
//! | vibrator on another feature (the Thrusting Cup's, the G011's) | `06`, stopped with speed `f0` |
//!
//! Identification reads the model id from `rxblemodel`, its bytes in hex (`20 01` is model
//! `2001`). Only the ids of the original line are driven here; a device with any other id
//! is of the newer line and speaks `hismith-mini`, which takes it over (its models, its
//! packets).

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// Model ids of the original line, which take this protocol's packets.
const ORIGINAL_LINE: [&str; 6] = ["1001", "1002", "1003", "1006", "2001", "3001"];
/// The motor byte of the oscillator and of a vibrator on feature 0.
const MAIN_MOTOR: u8 = 0x04;
/// The motor byte of a vibrator on any other feature.
const SECOND_VIBRATOR: u8 = 0x06;
/// What stops the second vibrator (a speed of 0 does not).
const SECOND_VIBRATOR_OFF: u8 = 0xf0;

/// The protocol for any `hismith` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Hismith::default()))
}

/// Reads a Hismith's model id: the bytes of `rxblemodel` in lowercase hex (shared with
/// `hismith-mini`, whose devices answer the same way).
pub(super) async fn read_model_id(hardware: &dyn Hardware) -> Result<String, HardwareError> {
    let data = hardware.read(Endpoint::RxBleModel, READ_TIMEOUT).await?;
    Ok(data.iter().map(|b| format!("{b:02x}")).collect())
}

/// A command packet of both Hismith lines: `PREFIX MOTOR SPEED MOTOR+SPEED` (shared with
/// `hismith-mini`, whose prefix differs).
pub(super) fn checked_packet(prefix: u8, motor: u8, speed: u8) -> Vec<u8> {
    vec![prefix, motor, speed, motor.wrapping_add(speed)]
}

#[derive(Debug, Default)]
struct Hismith {
    /// The identified model is of the newer line, which `hismith-mini` drives.
    newer_line: bool,
}

impl Protocol for Hismith {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let id = read_model_id(hardware).await?;
            self.newer_line = !ORIGINAL_LINE.contains(&id.as_str());
            Ok(Some(id))
        })
    }

    fn identified_protocol(&self) -> Option<&'static str> {
        self.newer_line.then_some("hismith-mini")
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |feature, command| {
            let speed = byte(command.value());
            let (motor, speed) = match command.output_type() {
                OutputType::Oscillate => (MAIN_MOTOR, speed),
                OutputType::Vibrate if feature == 0 => (MAIN_MOTOR, speed),
                OutputType::Vibrate if speed == 0 => (SECOND_VIBRATOR, SECOND_VIBRATOR_OFF),
                OutputType::Vibrate => (SECOND_VIBRATOR, speed),
                _ => return None,
            };
            Some(checked_packet(0xaa, motor, speed))
        })
    }
}

//! Svakom Tara X (`svakom-tarax`): one packet per vibrator on tx, without response. The
//! internal vibrator (feature 0, 1–3) is `55 03 00 00 SPEED 02` while it runs and
//! `55 03 00 00 01 01` to stop; the external pulsator is `55 09 00 00 SPEED 00`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::Protocol;
use super::packet::{byte, per_output};
use crate::hardware::HardwareWrite;
use crate::scheduler::OutputState;

/// The protocol for any `svakom-tarax` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomTaraX))
}

#[derive(Debug)]
struct SvakomTaraX;

impl Protocol for SvakomTaraX {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |feature, command| {
            if command.output_type() != OutputType::Vibrate {
                return None;
            }
            let speed = byte(command.value());
            Some(match (feature, speed) {
                (0, 0) => vec![0x55, 0x03, 0x00, 0x00, 0x01, 0x01],
                (0, _) => vec![0x55, 0x03, 0x00, 0x00, speed, 0x02],
                _ => vec![0x55, 0x09, 0x00, 0x00, speed, 0x00],
            })
        })
    }
}

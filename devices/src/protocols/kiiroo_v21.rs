//! Kiiroo v2.1 (`kiiroo-v21`): the Pearl 2.1 and 3, Cliona, Titan 1.1 and OhMiBod's. Packets
//! go to tx without response:
//! - vibrate 0–100: `01 SPEED`;
//! - a position over a duration (the Titan 1.1's stroker): `03 00 SPEED POSITION`, SPEED
//!   (0–99) being the Launch speed that covers the distance from the last position in that
//!   duration.
//!
//! The battery level is byte 5 of the 20 bytes read from `whitelist`. Kiiroo v3 and v2.1
//! initialised speak the same (see `kiiroo_v3`, `kiiroo_v21_initialized`).

use std::sync::Arc;

use plugwire_core::message::{InputType, OutputCommand};

use super::kiiroo_v2::launch_speed;
use super::packet::{LastPosition, byte, per_output};
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{OutputState, Protocol, Reading};
use crate::protocol::reads::battery_from_read;

/// How long the battery answer is.
const BATTERY_REPLY_LEN: usize = 20;
/// Where in it the level is.
const BATTERY_LEVEL_AT: usize = 5;
/// The stroke's far end, and full speed.
const FULL: f64 = 99.0;

/// The protocol for any `kiiroo-v21` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooStroker::default()))
}

/// The packets of Kiiroo's v2.1 devices and later (`kiiroo-v21`, `kiiroo-v3`,
/// `kiiroo-v21-initialized`).
#[derive(Debug, Default)]
pub(super) struct KiirooStroker {
    position: LastPosition,
}

impl KiirooStroker {
    /// The packet for one command, if it is one the device takes.
    pub(super) fn packet(&mut self, command: OutputCommand) -> Option<Vec<u8>> {
        match command {
            OutputCommand::Vibrate(speed) => Some(vec![0x01, byte(speed.value)]),
            OutputCommand::HwPositionWithDuration(move_to) => {
                let target = move_to.value.clamp(0, 255);
                let from = self.position.move_to(target);
                let distance = f64::from(from.abs_diff(target)) / FULL;
                // Truncated and saturating, as the firmware expects.
                let speed = (launch_speed(distance, move_to.duration) * FULL) as u8;
                Some(vec![0x03, 0x00, speed, byte(target)])
            }
            _ => None,
        }
    }

    pub(super) fn written(&mut self, success: bool) {
        self.position.written(success);
    }
}

impl Protocol for KiirooStroker {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| self.packet(command))
    }

    fn written(&mut self, success: bool) {
        KiirooStroker::written(self, success);
    }

    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> Reading {
        battery_from_read(hardware, input_type, Endpoint::Whitelist, |data| {
            (data.len() == BATTERY_REPLY_LEN)
                .then(|| data.get(BATTERY_LEVEL_AT).copied())
                .flatten()
        })
    }
}

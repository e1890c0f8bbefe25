//! Leten (`leten`): vibrate 0–25 as `02 SPEED` on tx, with response. Initialised with `04 01`
//! (with response). The device stops unless it hears its packet again every second, so the
//! current speed is repeated whenever nothing was written for that long (the scheduler's
//! keep-alive); initialisation ends with a stop packet so there is one to repeat from the start.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::packet::vibration;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// How long the device keeps going without hearing its packet again.
const REPEAT: Duration = Duration::from_secs(1);

/// The protocol for any `leten` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Leten))
}

#[derive(Debug)]
struct Leten;

fn packet(speed: u8) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, [0x02, speed], true)
}

impl Protocol for Leten {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![
            HardwareWrite::new(Endpoint::Tx, [0x04, 0x01], true),
            packet(0),
        ]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        vec![packet(vibration(state, 0))]
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT)
    }
}

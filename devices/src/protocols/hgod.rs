//! Hgod (`hgod`): vibrate 0–10 as `55 04 00 00 00 SPEED` on tx, without response. The device
//! runs each packet for only about 100 ms, so while it vibrates the packet is repeated every
//! 100 ms (the scheduler's keep-alive). Nothing is written to stop it: it stops once the
//! packets do.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// How long the device runs on one packet.
const REPEAT: Duration = Duration::from_millis(100);

/// The protocol for any `hgod` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Hgod::default()))
}

#[derive(Debug, Default)]
struct Hgod {
    /// Whether the vibrator was last told to run (and so must be told again).
    running: bool,
}

impl Protocol for Hgod {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speed = vibration(state, 0);
        self.running = speed > 0;
        if self.running {
            tx([0x55, 0x04, 0x00, 0x00, 0x00, speed], false)
        } else {
            Vec::new()
        }
    }

    fn keepalive(&self) -> Option<Duration> {
        self.running.then_some(REPEAT)
    }
}

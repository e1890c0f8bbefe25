//! Xuanhuan (`xuanhuan`): vibrate 0–10 as `03 02 00 SPEED` on tx, with response. The device
//! stops unless it hears its packet again, so while it runs the packet is repeated every
//! 300 ms (the scheduler's keep-alive); once stopped, nothing is repeated.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// How often a running device hears its packet again.
const REPEAT: Duration = Duration::from_millis(300);

/// The protocol for any `xuanhuan` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Xuanhuan::default()))
}

#[derive(Debug, Default)]
struct Xuanhuan {
    /// The speed last written.
    speed: u8,
}

impl Protocol for Xuanhuan {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        self.speed = vibration(state, 0);
        tx([0x03, 0x02, 0x00, self.speed], true)
    }

    fn keepalive(&self) -> Option<Duration> {
        (self.speed > 0).then_some(REPEAT)
    }
}

//! Sexverse, third protocol (`sexverse-v3`): one packet per motor, `a1 04 SPEED
//! (feature + 1)` on tx with response. The device stops unless it hears from us, so the
//! last packet is sent again whenever 100 ms pass without a write, from the moment it is
//! connected: initialisation writes each motor's stop packet (`a1 04 00 01` for the first),
//! and the last of them is what is repeated until the first command. Vibrators and rotators
//! only: as in buttplug-rs, an oscillator (the Zeus has one) is not driven.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, motor_number, per_output, stopped};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// How long the device goes without a packet before it needs the last one again.
const REPEAT_EVERY: Duration = Duration::from_millis(100);

/// The protocol for any `sexverse-v3` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SexverseV3::default()))
}

#[derive(Debug, Default)]
struct SexverseV3 {
    /// The changes and the state that stop the device: written on connection.
    stopped: (Vec<(u32, OutputCommand)>, OutputState),
    /// The last packet written, repeated as the keep-alive.
    last: Option<HardwareWrite>,
}

impl Protocol for SexverseV3 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.stopped = stopped(&model.features);
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        // The device must hear from us before the first command too: the stop packets, the
        // last of them then repeated by the keep-alive.
        let (stops, state) = std::mem::take(&mut self.stopped);
        self.writes(&stops, &state)
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let writes = per_output(changed, true, |feature, command| {
            matches!(
                command.output_type(),
                OutputType::Vibrate | OutputType::Rotate
            )
            .then(|| vec![0xa1, 0x04, byte(command.value()), motor_number(feature)])
        });
        if let Some(last) = writes.last() {
            self.last = Some(last.clone());
        }
        writes
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT_EVERY)
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        self.last.iter().cloned().collect()
    }
}

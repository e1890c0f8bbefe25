//! Umove (`umove`): the Mira, Vero and Nexo, advertised as two letters, the model's two
//! (`Mi`, `Vx`, `Nx`), then more (`UMNxB…`). Everything goes to tx without response:
//!
//! - the state packet, 16 bytes: `5a a5 55 00`, the vibration (0–10000) as a little-endian
//!   `u16`, `01 00`, a packet counter as a little-endian `u32` (from 0, one more each packet)
//!   and the stroker's position as a little-endian `u32`;
//! - heat: `5a a5 55 06 ff ff 00 00 ff ff ff ff LEVEL ff`.
//!
//! A position is set at once; a position over a duration is reached in steps, one every
//! 50 ms (the scheduler's keep-alive), as many as the duration holds tenths of a second (at
//! least one). While it moves the steps carry the vibration; otherwise a change of
//! vibration is its own packet. The device wants to hear from us every half second: the last
//! packet is sent again, from the moment it is connected. On connection each output that
//! stops is stopped at once, in feature order (a vibrator's state packet, then a heater's
//! `LEVEL` 0 packet), so on a Mira the heat-0 packet is what is repeated until the first
//! command; a model with only a stroker (the Vero, the Nexo) has nothing to stop, and nothing
//! is written or repeated before its first command. A stop during a move ends it where the
//! last step left the stroker.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, stopped, tx};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{Identification, OutputState, Protocol};

/// How often a move takes a step.
const STEP_EVERY: Duration = Duration::from_millis(50);
/// How long a step's share of a move's duration is, in ms.
const STEP_SHARE_MS: u32 = 100;
/// How long the device goes without a packet before it needs the last one again.
pub(super) const REPEAT_EVERY: Duration = Duration::from_millis(500);

/// The protocol for any `umove` device.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Umove {
        model: device_name.get(2..4).unwrap_or_default().to_owned(),
        ..Umove::default()
    }))
}

#[derive(Debug, Default)]
struct Umove {
    /// The model's identifier, from the advertised name.
    model: String,
    /// The number the next state packet carries.
    counter: u32,
    vibration: u16,
    /// Where the stroker was last sent.
    position: u32,
    /// Where the current move ends.
    goal: u32,
    /// How far each step of the current move goes (its sign the direction).
    step: i64,
    /// The last packet written, repeated as the keep-alive.
    last: Option<HardwareWrite>,
    /// The changes and the state that stop the device: written on connection.
    stopped: (Vec<(u32, OutputCommand)>, OutputState),
}

impl Umove {
    fn moving(&self) -> bool {
        self.position != self.goal
    }

    /// The state packet for the current vibration and position.
    fn state_packet(&mut self) -> Vec<HardwareWrite> {
        let mut data = vec![0x5a, 0xa5, 0x55, 0x00];
        data.extend(self.vibration.to_le_bytes());
        data.extend(1u16.to_le_bytes());
        data.extend(self.counter.to_le_bytes());
        data.extend(self.position.to_le_bytes());
        self.counter = self.counter.wrapping_add(1);
        self.remember(tx(data, false))
    }

    fn remember(&mut self, writes: Vec<HardwareWrite>) -> Vec<HardwareWrite> {
        if let Some(last) = writes.last() {
            self.last = Some(last.clone());
        }
        writes
    }

    /// One step towards the goal, never past it.
    fn take_step(&mut self) -> Vec<HardwareWrite> {
        if !self.moving() {
            return Vec::new();
        }
        let next = i64::from(self.position) + self.step;
        let goal = i64::from(self.goal);
        let next = if self.step < 0 {
            next.max(goal)
        } else {
            next.min(goal)
        };
        self.position = u32::try_from(next).unwrap_or(self.goal);
        self.state_packet()
    }

    fn start_move(&mut self, goal: u32, duration_ms: u32) {
        self.goal = goal;
        let steps = i64::from((duration_ms / STEP_SHARE_MS).max(1));
        let distance = i64::from(goal) - i64::from(self.position);
        // Truncated towards zero; a move shorter than its steps goes one unit at a time.
        self.step = match distance / steps {
            0 => distance.signum(),
            step => step,
        };
    }
}

fn unsigned(value: i32) -> u32 {
    value.max(0).unsigned_abs()
}

impl Protocol for Umove {
    fn identification(&self) -> Identification {
        Identification::Fixed(self.model.clone())
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.stopped = stopped(&model.features);
    }

    fn initialize(&mut self) -> Vec<HardwareWrite> {
        // Stopped, and something to repeat from the start: the last stop packet.
        let (stops, state) = std::mem::take(&mut self.stopped);
        self.writes(&stops, &state)
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        for (_, command) in changed {
            match *command {
                OutputCommand::Vibrate(speed) => {
                    self.vibration = u16::try_from(speed.value.clamp(0, 10_000)).unwrap_or(0);
                    // A move under way carries the new vibration in its next step.
                    if !self.moving() {
                        writes.extend(self.state_packet());
                    }
                }
                OutputCommand::Position(position) => {
                    self.position = unsigned(position.value);
                    self.goal = self.position;
                    writes.extend(self.state_packet());
                }
                OutputCommand::HwPositionWithDuration(move_to) => {
                    self.start_move(unsigned(move_to.value), move_to.duration);
                    writes.extend(self.take_step());
                }
                OutputCommand::Temperature(level) => {
                    let heat = [
                        0x5a,
                        0xa5,
                        0x55,
                        0x06,
                        0xff,
                        0xff,
                        0x00,
                        0x00,
                        0xff,
                        0xff,
                        0xff,
                        0xff,
                        byte(level.value),
                        0xff,
                    ];
                    writes.extend(self.remember(tx(heat, false)));
                }
                _ => {}
            }
        }
        writes
    }

    fn halt(&mut self, _feature_index: u32, output_type: OutputType) -> Vec<HardwareWrite> {
        // The stroker stays where the last step left it: no further step is taken.
        if output_type == OutputType::HwPositionWithDuration {
            self.goal = self.position;
        }
        Vec::new()
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(if self.moving() {
            STEP_EVERY
        } else {
            REPEAT_EVERY
        })
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        if self.moving() {
            self.take_step()
        } else {
            self.last.iter().cloned().collect()
        }
    }
}

//! OSSM (`ossm`): text commands on tx, with response; the device reports its state as JSON
//! notifications on rx (`{"state":"strokeEngine.idle",…}`), subscribed to once connected.
//!
//! | output (feature 0) | mode switch, when in another mode | then |
//! |---|---|---|
//! | oscillate 0–100 | `go:menu`, `go:strokeEngine` (not for a stop) | `set:speed:N` |
//! | position with duration | `go:menu`, `go:streaming` | `stream:POSITION:MS` |
//!
//! When the device reports entering `streaming` or `strokeEngine` (the part of the state
//! before its first `.`, on a change), it is given its full range: `false` on txmode, then
//! `set:depth:100` and `set:stroke:100`, and for streaming also `set:speed:100`.

use plugwire_core::message::OutputCommand;

use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `ossm` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Ossm::default()))
}

/// What the device was last switched to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Unknown,
    StrokeEngine,
    Streaming,
}

fn text(endpoint: Endpoint, command: &str) -> HardwareWrite {
    HardwareWrite::new(endpoint, command.as_bytes(), true)
}

/// The state a notification reports, up to its first `.`.
fn reported_state(data: &[u8]) -> Option<String> {
    let report: serde_json::Value = serde_json::from_slice(data).ok()?;
    let state = report.get("state")?.as_str()?;
    Some(state.split('.').next().unwrap_or(state).to_owned())
}

#[derive(Debug, Default)]
struct Ossm {
    mode: Mode,
    /// The mode the writes being written switch to, kept once they are written.
    pending_mode: Option<Mode>,
    /// The state the device last reported.
    state: Option<String>,
}

impl Ossm {
    /// The mode the device is in once the writes so far are written.
    fn current_mode(&self) -> Mode {
        self.pending_mode.unwrap_or(self.mode)
    }

    /// The writes switching to `mode`, if the device is not in it.
    fn switch(&mut self, mode: Mode, command: &str, writes: &mut Vec<HardwareWrite>) {
        if self.current_mode() != mode {
            writes.push(text(Endpoint::Tx, "go:menu"));
            writes.push(text(Endpoint::Tx, command));
            self.pending_mode = Some(mode);
        }
    }
}

impl Protocol for Ossm {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        for &(feature, command) in changed {
            if feature != 0 {
                continue;
            }
            match command {
                OutputCommand::Oscillate(speed) => {
                    // Stopping needs no mode switch: outside the stroke engine nothing strokes.
                    if speed.value == 0 && self.current_mode() != Mode::StrokeEngine {
                        continue;
                    }
                    self.switch(Mode::StrokeEngine, "go:strokeEngine", &mut writes);
                    writes.push(text(Endpoint::Tx, &format!("set:speed:{}", speed.value)));
                }
                OutputCommand::HwPositionWithDuration(move_to) => {
                    self.switch(Mode::Streaming, "go:streaming", &mut writes);
                    writes.push(text(
                        Endpoint::Tx,
                        &format!("stream:{}:{}", move_to.value, move_to.duration),
                    ));
                }
                _ => {}
            }
        }
        writes
    }

    fn written(&mut self, success: bool) {
        if let Some(mode) = self.pending_mode.take()
            && success
        {
            self.mode = mode;
        }
    }

    fn answered_endpoint(&self) -> Option<Endpoint> {
        Some(Endpoint::Rx)
    }

    fn notified(&mut self, data: &[u8]) -> Vec<HardwareWrite> {
        let Some(state) = reported_state(data) else {
            return Vec::new();
        };
        if self.state.as_deref() == Some(state.as_str()) {
            return Vec::new();
        }
        let mut writes = Vec::new();
        if state == "streaming" || state == "strokeEngine" {
            writes.extend([
                text(Endpoint::TxMode, "false"),
                text(Endpoint::Tx, "set:depth:100"),
                text(Endpoint::Tx, "set:stroke:100"),
            ]);
        }
        if state == "streaming" {
            writes.push(text(Endpoint::Tx, "set:speed:100"));
        }
        self.state = Some(state);
        writes
    }
}

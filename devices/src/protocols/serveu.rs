//! ServeU (`serveu`): moves to a position (0–100) as `01 POSITION SPEED` on tx, without
//! response. `SPEED` is a code for how fast to get there from the last position sent (the
//! device starts at 0), from the units per second needed, `u`, rounded up:
//!
//! | `u` | `SPEED` |
//! |---|---|
//! | 0 | 0 (stay) |
//! | 1–50 | ⌈u / 2⌉ |
//! | 51–750 | 25 + ⌈(u − 50) / 4⌉ |
//! | 751–2000 | 200 + ⌈(u − 750) / 25⌉ |
//! | more | fa |

use plugwire_core::message::OutputCommand;

use super::packet::{byte, per_output};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The fastest speed code.
const FASTEST: u8 = 0xfa;

/// The protocol for any `serveu` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(ServeU::default()))
}

/// The speed code for moving `distance` units in `duration_ms`.
fn speed_code(distance: u32, duration_ms: u32) -> u8 {
    if distance == 0 {
        return 0;
    }
    if duration_ms == 0 {
        return FASTEST;
    }
    let per_second = (u64::from(distance) * 1000).div_ceil(u64::from(duration_ms));
    let code = match per_second {
        0..=50 => per_second.div_ceil(2),
        51..=750 => 25 + (per_second - 50).div_ceil(4),
        751..=2000 => 200 + (per_second - 750).div_ceil(25),
        _ => u64::from(FASTEST),
    };
    u8::try_from(code).unwrap_or(FASTEST)
}

#[derive(Debug, Default)]
struct ServeU {
    /// Where the last move written takes the device.
    position: u8,
    /// Where the moves being written take it, kept once they are written.
    pending: Option<u8>,
}

impl Protocol for ServeU {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut from = self.position;
        per_output(changed, false, |_, command| {
            let OutputCommand::HwPositionWithDuration(move_to) = command else {
                return None;
            };
            let goal = byte(move_to.value);
            let speed = speed_code(u32::from(goal.abs_diff(from)), move_to.duration);
            from = goal;
            self.pending = Some(goal);
            Some(vec![0x01, goal, speed])
        })
    }

    fn written(&mut self, success: bool) {
        if let Some(position) = self.pending.take()
            && success
        {
            self.position = position;
        }
    }
}

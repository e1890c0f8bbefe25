//! F-Machine (`fmachine`): the Gigolo, Tremblr and Alpha are driven as their remote's buttons
//! are: a press, then its release, each an 18-byte packet on tx with response,
//! `BUTTON 64 00 00 00 00 31 32 33 34 00 00 00 00 00 00 00 CHECK`, CHECK worked out from how
//! many bits of the first 17 bytes are set (see [`check_byte`]). Buttons: on/off 01 (released
//! by 02), faster 05 and slower 06 (both released by 03).
//!
//! The machine tells nothing back, so its state is tracked here. On connection (after
//! subscribing to rx, whose notifications are not needed) it is pressed slower 55 times,
//! 60 ms apart, so it is surely at its slowest; this is part of identification, so the device
//! is listed (and can be commanded) only once it is done. Then one step at a time until the
//! machine runs as asked: it is switched on or off if it must be, and its speed (oscillate,
//! 0–28) taken one step towards the one asked for; the step between 0 and 1 is the switching
//! itself. The machine registers one step per 200 ms, so steps are never closer together
//! than that (the last settling press included): a command takes a step at once when the
//! last one is that old, and the scheduler's keep-alive takes the rest, 200 ms apart. The
//! registry's message gap for the protocol is 200 ms too, so commands arriving faster are
//! folded together rather than turned away.

use std::time::Duration;

use plugwire_core::message::OutputCommand;
use tokio::time::Instant;

use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};

/// The buttons, and what releases them.
pub(super) const ON_OFF: u8 = 0x01;
const ON_OFF_RELEASE: u8 = 0x02;
pub(super) const SPEED_RELEASE: u8 = 0x03;
pub(super) const FASTER: u8 = 0x05;
pub(super) const SLOWER: u8 = 0x06;
/// How many presses of slower take the machine from any speed to its slowest.
pub(super) const PRESSES_TO_SLOWEST: u8 = 55;
/// How far apart those presses are.
pub(super) const SETTLING_STEP: Duration = Duration::from_millis(60);
/// The least time between two steps towards the asked speed: the machine registers no more
/// than one step per 200 ms.
pub(super) const STEP: Duration = Duration::from_millis(200);

/// The protocol for any `fmachine` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(FMachine {
        running: false,
        speed: 0,
        target: 0,
        last_press: None,
    }))
}

/// The packet's last byte, from the number of bits set in the rest.
pub(super) fn check_byte(data: &[u8]) -> u8 {
    let bits: u32 = data.iter().map(|b| b.count_ones()).sum();
    let check = match bits % 3 {
        0 => 222 - bits,
        1 => bits / 2 + 111,
        _ => bits / 3 + 177,
    };
    u8::try_from(check).unwrap_or(u8::MAX)
}

/// A button's packet.
fn button(code: u8) -> HardwareWrite {
    let mut data = vec![
        code, 0x64, 0x00, 0x00, 0x00, 0x00, 0x31, 0x32, 0x33, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ];
    data.push(check_byte(&data));
    HardwareWrite::new(Endpoint::Tx, data, true)
}

/// Pressing a button and letting it go.
fn press(code: u8, release: u8) -> [HardwareWrite; 2] {
    [button(code), button(release)]
}

#[derive(Debug)]
struct FMachine {
    /// Whether the machine is switched on.
    running: bool,
    /// The speed it is at.
    speed: u8,
    /// The speed asked for (0: off).
    target: u8,
    /// When a button was last pressed (the settling presses included).
    last_press: Option<Instant>,
}

impl FMachine {
    fn must_switch(&self) -> bool {
        self.running == (self.target == 0)
    }

    fn at_target(&self) -> bool {
        !self.must_switch() && self.speed == self.target
    }

    /// Whether a step may be taken now: the last press is at least [`STEP`] old.
    fn may_step(&self) -> bool {
        self.last_press.is_none_or(|at| at.elapsed() >= STEP)
    }

    /// One step towards what was asked, if one is due and allowed yet: switching on or off,
    /// and one speed step.
    fn step(&mut self) -> Vec<HardwareWrite> {
        if self.at_target() || !self.may_step() {
            return Vec::new();
        }
        self.last_press = Some(Instant::now());
        let mut writes = Vec::new();
        if self.must_switch() {
            writes.extend(press(ON_OFF, ON_OFF_RELEASE));
            self.running = !self.running;
        }
        if self.speed != self.target {
            let faster = self.target > self.speed;
            // Between 0 and 1 the switching did it.
            if self.target > 1 || self.speed > 1 {
                let code = if faster { FASTER } else { SLOWER };
                writes.extend(press(code, SPEED_RELEASE));
            }
            self.speed = if faster {
                self.speed + 1
            } else {
                self.speed - 1
            };
        }
        writes
    }
}

impl Protocol for FMachine {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            hardware.subscribe(Endpoint::Rx).await?;
            // Settled before it is listed: commands while it settles would be steps from a
            // speed not yet known.
            for _ in 0..PRESSES_TO_SLOWEST {
                for write in press(SLOWER, SPEED_RELEASE) {
                    hardware.write(write).await?;
                }
                self.last_press = Some(Instant::now());
                tokio::time::sleep(SETTLING_STEP).await;
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        // Only the first feature's speed can be set (as in buttplug-rs).
        for (feature, command) in changed {
            if let (0, OutputCommand::Oscillate(speed)) = (feature, command) {
                self.target = u8::try_from(speed.value.clamp(0, 255)).unwrap_or(0);
            }
        }
        // Too soon after the last press, the keep-alive takes the step instead.
        self.step()
    }

    fn keepalive(&self) -> Option<Duration> {
        // Due STEP after the last write, which was no sooner than the last press.
        (!self.at_target()).then_some(STEP)
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        self.step()
    }
}

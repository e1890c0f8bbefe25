//! F-Machine (`fmachine`): the Gigolo, Tremblr and Alpha are driven as their remote's buttons
//! are: a press, then its release, each an 18-byte packet on tx with response,
//! `BUTTON 64 00 00 00 00 31 32 33 34 00 00 00 00 00 00 00 CHECK`, CHECK worked out from how
//! many bits of the first 17 bytes are set (see [`check_byte`]). Buttons: on/off 01 (released
//! by 02), faster 05 and slower 06 (both released by 03).
//!
//! The machine tells nothing back, so its state is tracked here. On connection (after
//! subscribing to rx, whose notifications are not needed) it is pressed slower 55 times,
//! 60 ms apart, so it is surely at its slowest. Then, every 200 ms until the machine runs as
//! asked (the scheduler's keep-alive drives both): it is switched on or off if it must be,
//! and its speed (oscillate, 0–28) taken one step towards the one asked for; the step between
//! 0 and 1 is the switching itself.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{Identification, OutputState, Protocol};

/// The buttons, and what releases them.
const ON_OFF: u8 = 0x01;
const ON_OFF_RELEASE: u8 = 0x02;
const SPEED_RELEASE: u8 = 0x03;
const FASTER: u8 = 0x05;
const SLOWER: u8 = 0x06;
/// How many presses of slower take the machine from any speed to its slowest.
const PRESSES_TO_SLOWEST: u8 = 55;
/// How far apart those presses are.
const SETTLING_STEP: Duration = Duration::from_millis(60);
/// How far apart the steps towards the asked speed are.
const STEP: Duration = Duration::from_millis(200);

/// The protocol for any `fmachine` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(FMachine {
        settling_presses_left: PRESSES_TO_SLOWEST,
        running: false,
        speed: 0,
        target: 0,
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
    /// Presses of slower still to make before the machine's speed is known.
    settling_presses_left: u8,
    /// Whether the machine is switched on.
    running: bool,
    /// The speed it is at.
    speed: u8,
    /// The speed asked for (0: off).
    target: u8,
}

impl FMachine {
    fn settled(&self) -> bool {
        self.settling_presses_left == 0
    }

    fn must_switch(&self) -> bool {
        self.running == (self.target == 0)
    }

    fn at_target(&self) -> bool {
        !self.must_switch() && self.speed == self.target
    }

    /// One step towards what was asked: switching on or off, and one speed step.
    fn step(&mut self) -> Vec<HardwareWrite> {
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
    fn identification(&self) -> Identification {
        Identification::Subscribe(Endpoint::Rx)
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
        if self.settled() {
            self.step()
        } else {
            Vec::new()
        }
    }

    fn keepalive(&self) -> Option<Duration> {
        if !self.settled() {
            Some(SETTLING_STEP)
        } else if self.at_target() {
            None
        } else {
            Some(STEP)
        }
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        if self.settled() {
            self.step()
        } else {
            self.settling_presses_left -= 1;
            press(SLOWER, SPEED_RELEASE).into()
        }
    }
}

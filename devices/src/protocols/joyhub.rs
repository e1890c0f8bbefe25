//! JoyHub (`joyhub`): every packet goes to tx without response.
//!
//! - Motors (vibrate, rotate or oscillate on features 0–3) share one packet carrying all four
//!   speeds, the feature index being the slot: `a0 03 S0 S1 S2 S3 aa`.
//! - Constriction on feature 4: `a0 07 ON 00 LL ff` (`ON` is 1 unless the level is 0); on any
//!   other feature: `a0 0d 00 00 LL ff`.
//! - Heating `a0 04`, light `a0 14` and the lube pump `a0 24` are on/off: `.. 01 00 01 ff` for
//!   on, `.. 00 00 00 00` for off. The pump is turned off again a second after it is turned
//!   on, as the maker's app does (the scheduler's keep-alive brings that write).

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};
use tokio::time::Instant;

use super::packet::{byte, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// Motors live on these features; each is a slot of the motor packet.
const MOTOR_SLOTS: u32 = 4;
/// The constrictor on this feature takes the `a0 07` packet; others take `a0 0d`.
const CONSTRICT_FEATURE: u32 = 4;
/// How long the lube pump runs once turned on.
const SPRAY_FOR: Duration = Duration::from_secs(1);

/// The protocol for any `joyhub` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(JoyHub::default()))
}

fn is_motor(feature: u32, output_type: OutputType) -> bool {
    feature < MOTOR_SLOTS
        && matches!(
            output_type,
            OutputType::Vibrate | OutputType::Rotate | OutputType::Oscillate
        )
}

fn write(data: impl Into<Vec<u8>>) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, data, false)
}

/// The packet for an on/off output with command byte `command`.
fn switch(command: u8, on: bool) -> HardwareWrite {
    if on {
        write([0xa0, command, 0x01, 0x00, 0x01, 0xff])
    } else {
        write([0xa0, command, 0x00, 0x00, 0x00, 0x00])
    }
}

/// The lube pump's off packet.
fn spray_off() -> HardwareWrite {
    switch(0x24, false)
}

/// Every motor's speed in one packet. A feature has one motor at most; a rotation's
/// direction is not sent.
fn motor_packet(state: &OutputState) -> HardwareWrite {
    let mut packet = vec![0xa0, 0x03];
    packet.extend((0..MOTOR_SLOTS).map(|feature| {
        [
            OutputType::Vibrate,
            OutputType::Rotate,
            OutputType::Oscillate,
        ]
        .into_iter()
        .find(|t| state.contains_key(&(feature, *t)))
        .map_or(0, |t| byte(value_of(state, feature, t).saturating_abs()))
    }));
    packet.push(0xaa);
    write(packet)
}

#[derive(Debug, Default)]
struct JoyHub {
    /// When the running lube pump must be turned off.
    spray_off_at: Option<Instant>,
    /// When writes last went out: the scheduler counts the keep-alive from then.
    last_write: Option<Instant>,
}

impl JoyHub {
    /// The pump's off packet, if it is due by now.
    fn due_spray_off(&mut self, now: Instant) -> Option<HardwareWrite> {
        let due = self.spray_off_at.is_some_and(|at| at <= now);
        due.then(|| {
            self.spray_off_at = None;
            spray_off()
        })
    }
}

impl Protocol for JoyHub {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let now = Instant::now();
        self.last_write = Some(now);
        let mut writes = Vec::new();
        if changed.iter().any(|(f, c)| is_motor(*f, c.output_type())) {
            writes.push(motor_packet(state));
        }
        // `changed` comes in feature order, as the device's own app sends them.
        for &(feature, command) in changed {
            let value = command.value();
            let level = byte(value);
            match command.output_type() {
                OutputType::Constrict if feature == CONSTRICT_FEATURE => {
                    writes.push(write([0xa0, 0x07, u8::from(value != 0), 0x00, level, 0xff]));
                }
                OutputType::Constrict => {
                    writes.push(write([0xa0, 0x0d, 0x00, 0x00, level, 0xff]));
                }
                OutputType::Temperature => writes.push(switch(0x04, value != 0)),
                OutputType::Led => writes.push(switch(0x14, value != 0)),
                OutputType::Spray => {
                    self.spray_off_at = (value != 0).then(|| now + SPRAY_FOR);
                    writes.push(switch(0x24, value != 0));
                }
                _ => {}
            }
        }
        // Writes may keep the scheduler from its keep-alive; the pump stops on time anyway.
        writes.extend(self.due_spray_off(now));
        writes
    }

    fn keepalive(&self) -> Option<Duration> {
        let off_at = self.spray_off_at?;
        Some(self.last_write.map_or(Duration::ZERO, |last| {
            off_at.saturating_duration_since(last)
        }))
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        let now = Instant::now();
        self.last_write = Some(now);
        // Only the pump needs a timed write; nothing else is repeated.
        self.due_spray_off(now).into_iter().collect()
    }
}

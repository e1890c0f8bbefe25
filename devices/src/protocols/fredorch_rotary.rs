//! Fredorch rotary (`fredorch-rotary`): a machine whose speed (0–20) is only ever nudged, one
//! step at a time, by frames `55 03 C (C+3) aa` on tx without response: `C` = `01` one step
//! faster, `02` one step slower, `24` stop. A new speed is reached by sending as many steps as
//! it is away from the current one; a speed of 0 is the stop frame.
//!
//! Once connected, rx is subscribed and four frames are sent, each followed by up to 100 ms
//! for an answer (the device answers only some): `55 03 99 9c aa` (hello),
//! `55 09 21 00 00 00 00 00 00 2a aa` (the password), `55 03 1f 22 aa` (power up), then the
//! stop frame. The device reports nothing: if it beeps twice it has powered off and must be
//! connected again.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::byte;
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};
use crate::protocol::reads::next_picked_within;

/// How long to wait for each set-up frame's answer.
const ANSWER_WAIT: Duration = Duration::from_millis(100);
const FASTER: u8 = 0x01;
const SLOWER: u8 = 0x02;
const STOP: u8 = 0x24;

/// The protocol for any `fredorch-rotary` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(FredorchRotary::default()))
}

/// The frame carrying command `command`.
fn frame(command: u8) -> HardwareWrite {
    HardwareWrite::new(
        Endpoint::Tx,
        [0x55, 0x03, command, command.wrapping_add(3), 0xaa],
        false,
    )
}

#[derive(Debug, Default)]
struct FredorchRotary {
    /// The speed the device runs at (it starts stopped).
    speed: u8,
    /// The speed the last writes will leave it at, kept once they are written.
    pending_speed: Option<u8>,
}

impl Protocol for FredorchRotary {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let mut answers = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            let setup = [
                vec![0x55, 0x03, 0x99, 0x9c, 0xaa],
                vec![
                    0x55, 0x09, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0xaa,
                ],
                vec![0x55, 0x03, 0x1f, 0x22, 0xaa],
            ];
            for data in setup
                .into_iter()
                .map(|data| HardwareWrite::new(Endpoint::Tx, data, false))
                .chain([frame(STOP)])
            {
                hardware.write(data).await?;
                // After the password the device stays silent: no answer is no failure.
                next_picked_within(&mut answers, ANSWER_WAIT, Some).await?;
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let Some(target) = changed
            .iter()
            .rev()
            .find(|(_, command)| command.output_type() == OutputType::Oscillate)
            .map(|(_, command)| byte(command.value()))
        else {
            return Vec::new();
        };
        self.pending_speed = Some(target);
        if target == 0 {
            return vec![frame(STOP)];
        }
        let current = self.speed;
        let step = if target > current { FASTER } else { SLOWER };
        (0..current.abs_diff(target)).map(|_| frame(step)).collect()
    }

    fn written(&mut self, success: bool) {
        if let Some(speed) = self.pending_speed.take()
            && success
        {
            self.speed = speed;
        }
    }
}

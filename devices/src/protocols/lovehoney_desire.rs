//! Lovehoney Desire (`lovehoney-desire`): `f3 MOTOR SPEED` on tx, with response, speeds
//! 0–127. `MOTOR` 00 sets every motor at once: what a one-motor model always gets, and what a
//! two-motor model gets while both run at one speed; otherwise each motor gets its own packet,
//! `f3 01 FIRST` then `f3 02 SECOND`.

use super::packet::TwoVibrators;
use crate::protocol::Protocol;

/// The `MOTOR` byte addressing every motor.
const ALL_MOTORS: u8 = 0x00;

/// The protocol for any `lovehoney-desire` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TwoVibrators::new(packets, true)))
}

/// The packets for the first motor at `first` and a second, if any, at `second`.
fn packets(first: u8, second: Option<u8>) -> Vec<Vec<u8>> {
    match second {
        Some(second) if second != first => {
            vec![vec![0xf3, 0x01, first], vec![0xf3, 0x02, second]]
        }
        _ => vec![vec![0xf3, ALL_MOTORS, first]],
    }
}

//! Kiiroo v2 vibrators (`kiiroo-v2-vibrator`): the Pearl 2, Titan, OhMiBod Fuse and PornHub
//! toys. Three vibrator speeds (0–100) in one packet, `FIRST SECOND THIRD` on tx without
//! response, whatever number of vibrators the model has (the others stay 0).
//!
//! One packet per change, carrying every motor's current speed: a stop of several running
//! motors is the one packet `00 00 00`. buttplug-rs writes a packet per motor instead, each
//! with the motors stopped so far (`00 32 32`, `00 00 32`, `00 00 00` when all three ran at
//! 50). Both leave the device stopped, and every packet sets all three motors, so the ones
//! before the last only restate speeds the last one overrides (the motors not yet stopped run
//! on until it arrives): the single packet stops them all at once, in one write instead of
//! three.

use super::packet::SlotPacket;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-v2-vibrator` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SlotPacket {
        prefix: &[],
        slots: 3,
        suffix: &[],
        with_response: false,
    }))
}

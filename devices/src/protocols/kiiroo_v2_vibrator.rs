//! Kiiroo v2 vibrators (`kiiroo-v2-vibrator`): the Pearl 2, Titan, OhMiBod Fuse and PornHub
//! toys. Three vibrator speeds (0–100) in one packet, `FIRST SECOND THIRD` on tx without
//! response, whatever number of vibrators the model has (the others stay 0).

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

//! Kiiroo PowerShot (`kiiroo-powershot`): both vibrators (0–100) in one packet,
//! `01 00 00 FIRST SECOND 00` on tx, with response.

use super::packet::SlotPacket;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-powershot` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SlotPacket {
        prefix: &[0x01, 0x00, 0x00],
        slots: 2,
        suffix: &[0x00],
        with_response: true,
    }))
}

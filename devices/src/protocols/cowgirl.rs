//! The Cowgirl (`cowgirl`): one packet on tx, with response, carrying both motors,
//! `00 01 VIBRATE ROTATE` (the vibrator on feature 0, the rotator on feature 1).

use super::packet::SlotPacket;
use crate::protocol::Protocol;

/// The protocol for any `cowgirl` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SlotPacket {
        prefix: &[0x00, 0x01],
        slots: 2,
        suffix: &[],
        with_response: true,
    }))
}

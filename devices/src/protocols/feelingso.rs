//! FeelingSo (`feelingso`): one packet on tx, without response, carrying both motors,
//! `aa 40 03 VIBRATE OSCILLATE 14 19` (the vibrator on feature 0, the oscillator on feature 1;
//! the two closing bytes never change).

use super::packet::SlotPacket;
use crate::protocol::Protocol;

/// The protocol for any `feelingso` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SlotPacket {
        prefix: &[0xaa, 0x40, 0x03],
        slots: 2,
        suffix: &[0x14, 0x19],
        with_response: false,
    }))
}

//! Bananasome (`bananasome`): one packet on tx, without response, carrying all three motors
//! by feature index, `a0 03 F0 F1 F2` (the Rocket X7: an oscillator on feature 0, vibrators
//! on 1 and 2).

use super::packet::SlotPacket;
use crate::protocol::Protocol;

/// The protocol for any `bananasome` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SlotPacket {
        prefix: &[0xa0, 0x03],
        slots: 3,
        suffix: &[],
        with_response: false,
    }))
}

//! MysteryVibe, second generation (`mysteryvibe-v2`): the Crescendo 2, Tenuto 2, Legato and
//! Molto. Everything is as the first generation's (see `mysteryvibe`) except the mode
//! packet, `03 02 40` on `txmode` with response.

use super::mysteryvibe::MysteryVibe;
use crate::protocol::Protocol;

/// The protocol for any `mysteryvibe-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MysteryVibe::with_mode([0x03, 0x02, 0x40])))
}

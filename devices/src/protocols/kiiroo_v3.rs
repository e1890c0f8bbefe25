//! Kiiroo v3 (`kiiroo-v3`): the Keon and Keon 2 strokers. They speak Kiiroo v2.1's packets
//! (see `kiiroo_v21`): a position over a duration as `03 00 SPEED POSITION` on tx without
//! response, and the battery level in byte 5 of a 20-byte `whitelist` read.

use super::kiiroo_v21::KiirooStroker;
use crate::protocol::Protocol;

/// The protocol for any `kiiroo-v3` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooStroker::default()))
}

//! Svakom Barney (`svakom-barney`): both vibrators (0–10) share Svakom v4's pair packet on
//! tx, without response, `55 03 MODE 00 ON SPEED 00`, except that `ON` is 3 while either
//! runs.

use super::svakom_v4::VibratorPair;
use crate::protocol::Protocol;

/// What Barney's pair packet says as `ON` while a vibrator runs.
const RUNNING: u8 = 0x03;

/// The protocol for any `svakom-barney` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPair::new(RUNNING)))
}

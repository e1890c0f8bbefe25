//! Svakom Magic Suitcase (`svakom-suitcase`): one packet per vibrator on tx, without
//! response. The one on feature 0 (0–30) is `55 03 00 00 INTENSITY SPEED`: a value counts
//! as intensity band and speed within it, `v = 10 × (INTENSITY - 1) + SPEED` with `SPEED`
//! 1–10 (so 10 is band 1 at speed 10, 11 band 2 at speed 1); 0 is `00 00`. The other (0–1)
//! is `55 09 00 00 SPEED 00`.

use super::packet::VibratorPackets;
use crate::protocol::Protocol;

/// Speeds per intensity band of the first vibrator.
const BAND: u8 = 10;

/// The protocol for any `svakom-suitcase` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet,
        with_response: false,
    }))
}

/// The intensity band and the speed within it for a value of the first vibrator.
fn band_and_speed(value: u8) -> (u8, u8) {
    if value == 0 {
        return (0, 0);
    }
    let below = value - 1;
    (below / BAND + 1, below % BAND + 1)
}

/// The packet for the vibrator on `feature` at `value`.
fn packet(feature: u32, value: u8) -> Vec<u8> {
    if feature == 0 {
        let (band, speed) = band_and_speed(value);
        vec![0x55, 0x03, 0x00, 0x00, band, speed]
    } else {
        vec![0x55, 0x09, 0x00, 0x00, value, 0x00]
    }
}

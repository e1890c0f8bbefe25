//! Svakom Tara X (`svakom-tarax`): one packet per vibrator on tx, without response. The
//! internal vibrator (feature 0, 1–3) is `55 03 00 00 SPEED 02` while it runs and
//! `55 03 00 00 01 01` to stop; the external pulsator is `55 09 00 00 SPEED 00`.

use super::packet::VibratorPackets;
use crate::protocol::Protocol;

/// The protocol for any `svakom-tarax` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet: |feature, speed| match (feature, speed) {
            (0, 0) => vec![0x55, 0x03, 0x00, 0x00, 0x01, 0x01],
            (0, _) => vec![0x55, 0x03, 0x00, 0x00, speed, 0x02],
            _ => vec![0x55, 0x09, 0x00, 0x00, speed, 0x00],
        },
        with_response: false,
    }))
}

//! Aneros (`aneros`): one packet per vibrator on tx, without response, `MOTOR SPEED`, the
//! motor byte being `f1` for the vibrator on feature 0, `f2` for the one on feature 1.

use super::packet::VibratorPackets;
use crate::protocol::Protocol;

/// The protocol for any `aneros` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet: |feature, speed| {
            let feature = u8::try_from(feature).unwrap_or(u8::MAX);
            vec![0xf1_u8.saturating_add(feature), speed]
        },
        with_response: false,
    }))
}

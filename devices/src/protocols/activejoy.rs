//! ActiveJoy (`activejoy`): one packet per vibrator on tx, without response,
//! `b0 01 00 FEATURE ON SPEED` (`01` is the vibration mode; `ON` is 1 while it runs).

use super::packet::VibratorPackets;
use crate::protocol::Protocol;

/// The protocol for any `activejoy` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPackets {
        packet: |feature, speed| {
            let feature = u8::try_from(feature).unwrap_or(u8::MAX);
            vec![0xb0, 0x01, 0x00, feature, u8::from(speed > 0), speed]
        },
        with_response: false,
    }))
}

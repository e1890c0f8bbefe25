//! MaxPro (`maxpro`): vibrate 0–100 on tx, without response, as
//! `55 04 07 ff ff 3f SPEED 5f SPEED SUM`, `SUM` being the bytes before it added up (mod 256).

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `maxpro` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let mut packet = vec![0x55, 0x04, 0x07, 0xff, 0xff, 0x3f, speed, 0x5f, speed];
            packet.push(packet.iter().fold(0u8, |sum, b| sum.wrapping_add(*b)));
            packet
        },
        with_response: false,
    }))
}

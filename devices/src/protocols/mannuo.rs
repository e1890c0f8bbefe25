//! ManNuo (`mannuo`): vibrate 0–3 on tx, with response, as `aa 55 06 01 01 01 SPEED fa X`, `X`
//! being every byte before it XORed together.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `mannuo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let mut packet = vec![0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, speed, 0xfa];
            packet.push(packet.iter().fold(0, |check, b| check ^ b));
            packet
        },
        with_response: true,
    }))
}

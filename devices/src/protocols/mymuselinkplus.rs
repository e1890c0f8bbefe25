//! MyMuse Link Plus (`mymuselinkplus`): vibrate 0–3 on tx, without response, as
//! `aa 55 06 01 01 01 SPEED ff`; it stops on `aa 55 06 aa 00 00 00 00`.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `mymuselinkplus` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            if speed == 0 {
                vec![0xaa, 0x55, 0x06, 0xaa, 0x00, 0x00, 0x00, 0x00]
            } else {
                vec![0xaa, 0x55, 0x06, 0x01, 0x01, 0x01, speed, 0xff]
            }
        },
        with_response: false,
    }))
}

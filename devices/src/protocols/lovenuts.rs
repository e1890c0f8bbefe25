//! Love Nuts (`lovenuts`): vibrate 0–15 on tx, without response, as `45 56 4f 4c` (`EVOL`),
//! ten bytes each holding the speed in both nibbles (`SS`), then `00 ff`.

use super::packet::VibratorPacket;
use crate::protocol::Protocol;

/// The protocol for any `lovenuts` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibratorPacket {
        packet: |speed| {
            let both_nibbles = speed | (speed << 4);
            let mut packet = vec![0x45, 0x56, 0x4f, 0x4c];
            packet.extend([both_nibbles; 10]);
            packet.extend([0x00, 0xff]);
            packet
        },
        with_response: false,
    }))
}

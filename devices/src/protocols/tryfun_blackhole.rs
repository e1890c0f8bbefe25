//! TryFun Black Hole (`tryfun-blackhole`): one packet per output on tx, without response,
//! `ID 02 00 03 CMD SPEED CHECK`: `CMD` 0c to oscillate, 09 to vibrate (0–100). `ID` counts
//! the packets sent, from 0; `CHECK` is ff less every byte after `ID`, plus the packet's
//! length before it. The Meta 2 frames its packets the same way.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `tryfun-blackhole` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TryFunBlackHole::default()))
}

/// Numbers each packet, as these devices expect: 0, 1, 2, … (wrapping).
#[derive(Debug, Default)]
pub(super) struct PacketCounter(u8);

impl PacketCounter {
    /// `payload` framed as packet number next: `ID 02 00 LEN payload CHECK`, `LEN` counting
    /// the payload and the check byte.
    pub(super) fn frame(&mut self, payload: &[u8]) -> Vec<u8> {
        let id = self.0;
        self.0 = self.0.wrapping_add(1);
        let length = u8::try_from(payload.len() + 1).unwrap_or(u8::MAX);
        let mut packet = vec![id, 0x02, 0x00, length];
        packet.extend_from_slice(payload);
        let size = u8::try_from(packet.len()).unwrap_or(u8::MAX);
        let check = packet[1..]
            .iter()
            .fold(0xffu8, |check, b| check.wrapping_sub(*b))
            .wrapping_add(size);
        packet.push(check);
        packet
    }
}

#[derive(Debug, Default)]
struct TryFunBlackHole {
    packets: PacketCounter,
}

impl Protocol for TryFunBlackHole {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            let speed = byte(command.value());
            let code = match command.output_type() {
                OutputType::Oscillate => 0x0c,
                OutputType::Vibrate => 0x09,
                _ => return None,
            };
            Some(self.packets.frame(&[code, speed]))
        })
    }
}

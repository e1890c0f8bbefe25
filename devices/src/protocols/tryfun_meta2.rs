//! TryFun Meta 2 (`tryfun-meta2`): one packet per output on tx, without response, framed as
//! the Black Hole's (a packet number, then a check byte at the end): `ID 02 00 05 21 05 CMD
//! SPEED CHECK`, `CMD` 0b to oscillate, 08 to vibrate (0–100), 0e to rotate. The rotation
//! byte is the speed itself counter-clockwise (1–100), and `ff` less the speed clockwise (so
//! a stop is `ff`).

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use super::tryfun_blackhole::PacketCounter;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `tryfun-meta2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TryFunMeta2::default()))
}

/// The rotation byte for a signed speed.
fn rotation(value: i32) -> u8 {
    if value < 0 {
        byte(value.saturating_abs())
    } else {
        u8::MAX - byte(value)
    }
}

#[derive(Debug, Default)]
struct TryFunMeta2 {
    packets: PacketCounter,
}

impl Protocol for TryFunMeta2 {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            let value = command.value();
            let (code, speed) = match command.output_type() {
                OutputType::Oscillate => (0x0b, byte(value)),
                OutputType::Vibrate => (0x08, byte(value)),
                OutputType::Rotate => (0x0e, rotation(value)),
                _ => return None,
            };
            Some(self.packets.frame(&[0x21, 0x05, code, speed]))
        })
    }
}

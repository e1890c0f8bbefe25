//! Xibao (`xibao`): oscillate 0–99 as `66 3a 00 06 00 06 01 02 00 02 04 SPEED CHECK` on tx,
//! without response; `CHECK` is the speed plus b5.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, tx, value_of};
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `xibao` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Xibao))
}

#[derive(Debug)]
struct Xibao;

impl Protocol for Xibao {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speed = byte(value_of(state, 0, OutputType::Oscillate));
        tx(
            [
                0x66,
                0x3a,
                0x00,
                0x06,
                0x00,
                0x06,
                0x01,
                0x02,
                0x00,
                0x02,
                0x04,
                speed,
                speed.wrapping_add(0xb5),
            ],
            false,
        )
    }
}

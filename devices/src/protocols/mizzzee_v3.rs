//! Mizz Zee, third protocol (`mizzzee-v3`): 20-byte packets on tx, with response. Vibrate
//! 0–1000 as `03 12 f3`, then twice `00 fc 00 fe 40 01 LL HH`, then `00`: `HHLL` is the
//! level (the speed mapped onto 30–100 % of 0–1023) shifted up six bits, with 3c in the low
//! six. A stop is `03 12` and eighteen zeros. The device stops unless it hears its packet
//! again within 200 ms, so the current one is repeated that often (the scheduler's
//! keep-alive) from the moment it is connected: initialisation sends the stop packet.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{tx, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// How often the device must hear its packet.
const REPEAT: Duration = Duration::from_millis(200);
/// The top of the configured vibration range.
const TOP: f32 = 1000.0;

/// The protocol for any `mizzzee-v3` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MizzZeeV3))
}

/// The packet for a vibration of `speed` (0–1000).
fn packet(speed: i32) -> Vec<u8> {
    let mut packet = vec![0x03, 0x12];
    if speed <= 0 {
        packet.resize(20, 0x00);
        return packet;
    }
    // The device's level runs 0–1023 but does not move the motor below about 30 %; the
    // arithmetic is f32, so every level rounds as the reference implementation rounds it.
    let fraction = (speed as f32 / TOP).min(1.0);
    let level = ((fraction * 0.7 + 0.3) * 1023.0) as u16;
    let word = ((level << 6) | 0x3c).to_le_bytes();
    let block = [0x00, 0xfc, 0x00, 0xfe, 0x40, 0x01, word[0], word[1]];
    packet.push(0xf3);
    packet.extend(block);
    packet.extend(block);
    packet.push(0x00);
    packet
}

#[derive(Debug)]
struct MizzZeeV3;

impl Protocol for MizzZeeV3 {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        vec![HardwareWrite::new(Endpoint::Tx, packet(0), true)]
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx(packet(value_of(state, 0, OutputType::Vibrate)), true)
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT)
    }
}

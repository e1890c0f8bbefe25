//! Motorbunny (`motorbunny`): one packet per output on tx, without response.
//!
//! - Vibrator (0–255): `ff` then `SPEED 14` seven times, a checksum (the sum of those 14
//!   bytes) and `ec`; stopped, `f0 00 00 00 00 ec`.
//! - Rotator (−255–255): `af` then `DIR SPEED` seven times (`DIR` 2a clockwise, 29
//!   counter-clockwise), the checksum and `ec`; stopped, `a0 00 00 00 00 ec`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{OutputPackets, byte};
use crate::protocol::Protocol;

/// How many times a motor packet repeats its pair of bytes.
const REPEATS: usize = 7;
/// The last byte of every packet.
const END: u8 = 0xec;

/// The protocol for any `motorbunny` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// A running motor's packet: `header`, `pair` repeated, checksum, end.
fn running(header: u8, pair: [u8; 2]) -> Vec<u8> {
    let repeated = pair.repeat(REPEATS);
    let checksum = repeated.iter().fold(0u8, |sum, b| sum.wrapping_add(*b));
    let mut packet = vec![header];
    packet.extend(repeated);
    packet.extend([checksum, END]);
    packet
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let value = command.value();
    let speed = byte(value.saturating_abs());
    match command.output_type() {
        OutputType::Vibrate if speed == 0 => Some(vec![0xf0, 0, 0, 0, 0, END]),
        OutputType::Vibrate => Some(running(0xff, [speed, 0x14])),
        OutputType::Rotate if speed == 0 => Some(vec![0xa0, 0, 0, 0, 0, END]),
        OutputType::Rotate => {
            let direction = if value > 0 { 0x2a } else { 0x29 };
            Some(running(0xaf, [direction, speed]))
        }
        _ => None,
    }
}

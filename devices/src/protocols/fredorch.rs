//! Fredorch (`fredorch`): a stroker with fifteen positions, programmed over Modbus-like frames
//! on tx, without response, each ending in its CRC-16/MODBUS (low byte first).
//!
//! Once connected, rx is subscribed and the device may say hello (waited for up to 500 ms).
//! Then five frames set it up, each answered on rx within 500 ms (or the device is given up
//! on): program mode on `01 06 00 64 00 01`, record `01 06 00 69 00 00`, a first move to 0 at
//! speed 5 (below), run `01 06 00 69 00 01`, repeat `01 06 00 6a 00 01`.
//!
//! A move to position `P` (0–15) is `01 10 00 6b 00 05 0a 00 S 00 S 00 Q 00 Q 00 01`, `Q`
//! being `P`·10 and `S` (1–20) the slowest speed that covers the distance from the last
//! position sooner than the move's duration, from the maker's table of travel times.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::packet::{LastPosition, moves};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};
use crate::protocol::reads::next_picked_within;

/// How long the device may take to answer each set-up frame.
const ANSWER_WAIT: Duration = Duration::from_millis(500);
/// The highest position.
const TOP: u8 = 15;

/// Travel times in milliseconds: row by distance (1–15 positions), column by speed (1–20).
const TRAVEL_MS: [[u32; 20]; 15] = [
    [
        1000, 800, 400, 235, 200, 172, 155, 92, 60, 45, 38, 34, 32, 28, 27, 26, 25, 24, 23, 22,
    ],
    [
        1500, 1000, 800, 680, 600, 515, 425, 265, 165, 115, 80, 70, 50, 48, 45, 35, 34, 33, 32, 30,
    ],
    [
        2500, 2310, 1135, 925, 792, 695, 565, 380, 218, 155, 105, 82, 70, 68, 65, 60, 48, 45, 43,
        40,
    ],
    [
        3000, 2800, 1500, 1155, 965, 810, 690, 465, 260, 195, 140, 110, 85, 75, 74, 73, 70, 65, 60,
        55,
    ],
    [
        3400, 3232, 2305, 1380, 1200, 1165, 972, 565, 328, 235, 162, 132, 98, 78, 75, 74, 73, 72,
        71, 70,
    ],
    [
        3500, 3350, 2500, 1640, 1250, 1210, 1010, 645, 385, 275, 175, 160, 115, 95, 91, 90, 85, 80,
        77, 75,
    ],
    [
        3600, 3472, 2980, 2060, 1560, 1275, 1132, 738, 430, 310, 230, 170, 128, 122, 110, 108, 105,
        103, 101, 100,
    ],
    [
        3800, 3500, 3055, 2105, 1740, 1370, 1290, 830, 490, 355, 235, 195, 150, 140, 135, 132, 130,
        125, 120, 119,
    ],
    [
        3900, 3518, 3190, 2315, 2045, 1510, 1442, 1045, 552, 392, 280, 225, 172, 145, 140, 138,
        135, 134, 132, 130,
    ],
    [
        6000, 5755, 3240, 2530, 2135, 1605, 1500, 1200, 595, 425, 285, 245, 175, 170, 160, 155,
        150, 145, 142, 140,
    ],
    [
        6428, 5872, 3335, 2780, 2270, 1782, 1590, 1310, 648, 470, 315, 255, 182, 180, 175, 172,
        170, 162, 160, 155,
    ],
    [
        6730, 5950, 3490, 2995, 2395, 1890, 1650, 1350, 700, 500, 350, 290, 220, 190, 185, 180,
        175, 170, 165, 160,
    ],
    [
        6962, 6122, 3880, 3205, 2465, 1900, 1700, 1400, 835, 545, 375, 310, 228, 195, 190, 185,
        182, 181, 180, 175,
    ],
    [
        7945, 6365, 4130, 3470, 2505, 1910, 1755, 1510, 855, 580, 400, 330, 235, 210, 205, 200,
        195, 190, 185, 180,
    ],
    [
        8048, 7068, 4442, 3708, 2668, 1930, 1800, 1520, 878, 618, 428, 365, 260, 255, 250, 240,
        230, 220, 210, 200,
    ],
];

/// The protocol for any `fredorch` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Fredorch::default()))
}

/// CRC-16/MODBUS (reflected polynomial `a001`, starting from `ffff`), low byte first.
pub(super) fn crc16_modbus(data: &[u8]) -> [u8; 2] {
    let crc = data.iter().fold(0xffff_u16, |crc, &b| {
        (0..8).fold(crc ^ u16::from(b), |crc, _| {
            if crc & 1 == 0 {
                crc >> 1
            } else {
                (crc >> 1) ^ 0xa001
            }
        })
    });
    crc.to_le_bytes()
}

/// A frame with its CRC.
fn framed(mut frame: Vec<u8>) -> Vec<u8> {
    let crc = crc16_modbus(&frame);
    frame.extend(crc);
    frame
}

/// The move frame: to `position` (0–15) at `speed`.
fn move_frame(position: u8, speed: u8) -> Vec<u8> {
    let place = position.saturating_mul(10);
    framed(vec![
        0x01, 0x10, 0x00, 0x6b, 0x00, 0x05, 0x0a, 0x00, speed, 0x00, speed, 0x00, place, 0x00,
        place, 0x00, 0x01,
    ])
}

/// The speed for a move of `distance` positions taking `duration_ms` (0 for no move).
pub(super) fn speed_for(distance: u8, duration_ms: u32) -> u8 {
    let Some(times) = usize::from(distance.min(TOP))
        .checked_sub(1)
        .and_then(|row| TRAVEL_MS.get(row))
    else {
        return 0;
    };
    times
        .iter()
        .position(|&time| time < duration_ms)
        .map_or(20, |column| u8::try_from(column + 1).unwrap_or(20))
}

#[derive(Debug, Default)]
struct Fredorch {
    /// Where the device was last sent.
    position: LastPosition<u8>,
}

impl Protocol for Fredorch {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let mut answers = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            // Some devices say hello first; others do not.
            next_picked_within(&mut answers, ANSWER_WAIT, Some).await?;
            let setup = [
                framed(vec![0x01, 0x06, 0x00, 0x64, 0x00, 0x01]),
                framed(vec![0x01, 0x06, 0x00, 0x69, 0x00, 0x00]),
                move_frame(0, 5),
                framed(vec![0x01, 0x06, 0x00, 0x69, 0x00, 0x01]),
                framed(vec![0x01, 0x06, 0x00, 0x6a, 0x00, 0x01]),
            ];
            for frame in setup {
                hardware
                    .write(HardwareWrite::new(Endpoint::Tx, frame, false))
                    .await?;
                if next_picked_within(&mut answers, ANSWER_WAIT, Some)
                    .await?
                    .is_none()
                {
                    return Err(HardwareError::Timeout);
                }
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        moves(changed)
            .map(|move_to| {
                let target = u8::try_from(move_to.value.clamp(0, i32::from(TOP))).unwrap_or(TOP);
                let from = self.position.move_to(target);
                let speed = speed_for(from.abs_diff(target), move_to.duration);
                HardwareWrite::new(Endpoint::Tx, move_frame(target, speed), false)
            })
            .collect()
    }

    fn written(&mut self, success: bool) {
        self.position.written(success);
    }
}

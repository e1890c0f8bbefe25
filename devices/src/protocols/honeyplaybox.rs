//! Honey Play Box (`honeyplaybox`): framed, signed commands on tx (with response), replies as
//! notifications on rx.
//!
//! A frame is `02 a5 5a 55 aa f0 COUNT TYPE CMD LEN(2) DATA 03 CRC(2)`: `COUNT` goes up by
//! one with every frame sent (the first command's is the handshake's plus two), `LEN` is
//! big-endian, and `CRC` is CRC-16/MODBUS (big-endian) over `TYPE CMD LEN DATA`. A reply may
//! arrive split over several notifications.
//!
//! | when | frame |
//! |---|---|
//! | handshake (the first frame, `COUNT` 0) | `b1 01`, data `00 10`; answered `b1 01` with `90 00` and a 16-byte key (another code refuses) |
//! | every command | `b1 03`, data: an 8-byte group per motor, then a signature |
//!
//! A group is `MOTOR<<4|1 00 05 00 3c 00 00 LEVEL` (mode 1, six seconds, no pattern), one
//! per output feature, every motor's current level in each frame: vibrators and oscillators
//! their speed, rotators its size, a constrictor 100 + its level (0 when off). The signature
//! is the first 8 bytes of the MD5 of `b1 03 LEN(2)`, the groups, a fixed secret and the
//! key, `LEN` counting the signature too. A frame goes out for every changed output, and
//! the levels again after half a second without one, as each group only runs for six.

use std::time::Duration;

use md5::{Digest, Md5};
use plugwire_core::message::{OutputCommand, OutputType};
use tokio::sync::broadcast;

use super::packet::{byte, output_layout, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use crate::protocol::{Identified, OutputState, Protocol};
use crate::protocol::reads::next_picked_within;

/// What every frame starts with.
const START: [u8; 6] = [0x02, 0xa5, 0x5a, 0x55, 0xaa, 0xf0];
/// What ends a frame's data (the CRC follows it).
const END: u8 = 0x03;
/// Bytes of a frame before its data.
const HEADER_LEN: usize = START.len() + 5;
/// Bytes of a frame after its data.
const TRAILER_LEN: usize = 3;
/// The frame type of everything sent.
const FRAME_TYPE: u8 = 0xb1;
/// The handshake command and its data.
const HANDSHAKE: (u8, [u8; 2]) = (0x01, [0x00, 0x10]);
/// The command that sets the motors.
const SET_MOTORS: u8 = 0x03;
/// The handshake answer's code for success.
const ACCEPTED: u16 = 0x9000;
/// How many times the handshake is sent before the device is given up on.
const HANDSHAKE_ATTEMPTS: u32 = 3;
/// How long the device may take to answer one handshake.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(1);
/// The device's secret, mixed into every signature.
const SECRET: [u8; 16] = [
    0x8b, 0xe3, 0xfd, 0x04, 0x68, 0x35, 0x09, 0x86, 0x12, 0x1a, 0xbf, 0x03, 0x30, 0xe9, 0xe3, 0xc5,
];
/// How many bytes of the MD5 sign a command.
const SIGNATURE_LEN: usize = 8;
/// How long each group runs, in tenths of a second.
const RUN_TENTHS: u16 = 60;
/// How long the device may go without hearing the levels again.
const REFRESH: Duration = Duration::from_millis(500);

/// The protocol for any `honeyplaybox` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(HoneyPlayBox::default()))
}

#[derive(Debug, Default)]
struct HoneyPlayBox {
    /// The key the device gave in the handshake.
    key: [u8; 16],
    /// The `COUNT` of the last frame sent.
    count: u8,
    /// Each motor's output, in motor order.
    motors: Vec<(u32, OutputType)>,
}

/// CRC-16/MODBUS.
pub(super) fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0xffff, |crc, &b| {
        (0..8).fold(crc ^ u16::from(b), |crc, _| {
            if crc & 1 == 0 {
                crc >> 1
            } else {
                (crc >> 1) ^ 0xa001
            }
        })
    })
}

/// A frame of type `b1` carrying `data`.
pub(super) fn frame(count: u8, command: u8, data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes();
    let mut body = vec![FRAME_TYPE, command, len[0], len[1]];
    body.extend_from_slice(data);
    let crc = crc16(&body).to_be_bytes();
    let mut frame = START.to_vec();
    frame.push(count);
    frame.extend_from_slice(&body);
    frame.push(END);
    frame.extend_from_slice(&crc);
    frame
}

/// Whole frames out of notifications that may split them (or carry noise between them).
#[derive(Debug, Default)]
pub(super) struct Frames {
    buffer: Vec<u8>,
}

impl Frames {
    /// Adds a notification; returns the frames it completed.
    pub(super) fn push(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        self.buffer.extend_from_slice(data);
        let mut frames = Vec::new();
        loop {
            let Some(start) = self.buffer.windows(START.len()).position(|w| w == START) else {
                // Keep what could still be the start of one.
                let keep = self.buffer.len().min(START.len() - 1);
                self.buffer.drain(..self.buffer.len() - keep);
                return frames;
            };
            self.buffer.drain(..start);
            let Some(len) = self.buffer.get(HEADER_LEN - 2..HEADER_LEN) else {
                return frames;
            };
            let data_len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            let frame_len = HEADER_LEN + data_len + TRAILER_LEN;
            if self.buffer.len() < frame_len {
                return frames;
            }
            if self.buffer[HEADER_LEN + data_len] == END {
                frames.push(self.buffer.drain(..frame_len).collect());
            } else {
                // A false start: look for the next one.
                self.buffer.drain(..1);
            }
        }
    }
}

/// A frame's data (between its header and its trailer).
fn data_of(frame: &[u8]) -> &[u8] {
    frame
        .get(HEADER_LEN..frame.len().saturating_sub(TRAILER_LEN))
        .unwrap_or_default()
}

/// The key in a handshake answer: `Ok(None)` when the frame is not a complete answer,
/// `Err` when the device refused.
pub(super) fn handshake_key(frame: &[u8]) -> Result<Option<[u8; 16]>, HardwareError> {
    let data = data_of(frame);
    let Some(code) = data.get(..2) else {
        return Ok(None);
    };
    if u16::from_be_bytes([code[0], code[1]]) != ACCEPTED {
        return Err(HardwareError::BadReply {
            endpoint: Endpoint::Rx,
            data: frame.to_vec(),
        });
    }
    Ok(data.get(2..18).and_then(|key| key.try_into().ok()))
}

/// Waits (at most [`HANDSHAKE_WAIT`]) for the handshake answer among the notifications.
async fn await_key(
    notifications: &mut broadcast::Receiver<Notification>,
    frames: &mut Frames,
) -> Result<Option<[u8; 16]>, HardwareError> {
    // A refusal ends the wait as an answer does: both are picked, and told apart after.
    next_picked_within(notifications, HANDSHAKE_WAIT, |n| {
        if n.endpoint != Endpoint::Rx {
            return None;
        }
        frames
            .push(&n.data)
            .iter()
            .find_map(|frame| handshake_key(frame).transpose())
    })
    .await?
    .transpose()
}

impl HoneyPlayBox {
    /// One signed frame with every motor's current level.
    fn motors_frame(&mut self, state: &OutputState) -> HardwareWrite {
        let mut data = Vec::new();
        for (motor, &(feature, output_type)) in (0u8..).zip(&self.motors) {
            let value = value_of(state, feature, output_type);
            let level = match output_type {
                OutputType::Constrict if value != 0 => byte(value.saturating_add(100)),
                _ => byte(value.saturating_abs()),
            };
            let [run_high, run_low] = RUN_TENTHS.to_be_bytes();
            data.extend_from_slice(&[motor << 4 | 1, 0x00, 0x05, run_high, run_low, 0, 0, level]);
        }
        let len = u16::try_from(data.len() + SIGNATURE_LEN)
            .unwrap_or(u16::MAX)
            .to_be_bytes();
        let digest = Md5::new()
            .chain_update([FRAME_TYPE, SET_MOTORS])
            .chain_update(len)
            .chain_update(&data)
            .chain_update(SECRET)
            .chain_update(self.key)
            .finalize();
        data.extend_from_slice(&digest[..SIGNATURE_LEN]);
        self.count = self.count.wrapping_add(1);
        HardwareWrite::new(Endpoint::Tx, frame(self.count, SET_MOTORS, &data), true)
    }
}

impl Protocol for HoneyPlayBox {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let mut notifications = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            let mut frames = Frames::default();
            for attempt in 0..HANDSHAKE_ATTEMPTS {
                let count = u8::try_from(attempt).unwrap_or(u8::MAX);
                let (command, data) = HANDSHAKE;
                let handshake = frame(count, command, &data);
                hardware
                    .write(HardwareWrite::new(Endpoint::Tx, handshake, true))
                    .await?;
                // The first command skips a count after the handshake's.
                self.count = count.wrapping_add(1);
                if let Some(key) = await_key(&mut notifications, &mut frames).await? {
                    self.key = key;
                    return Ok(None);
                }
            }
            Err(HardwareError::Timeout)
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.motors = output_layout(&model.features);
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let driven = changed
            .iter()
            .filter(|&&(feature, command)| self.motors.contains(&(feature, command.output_type())))
            .count();
        (0..driven).map(|_| self.motors_frame(state)).collect()
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REFRESH)
    }

    fn keepalive_writes(&mut self, state: &OutputState) -> Vec<HardwareWrite> {
        vec![self.motors_frame(state)]
    }
}

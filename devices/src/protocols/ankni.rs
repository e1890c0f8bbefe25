//! Ankni (`ankni`): vibrate 0–3 as `03 12 SPEED` followed by seventeen `00`s (twenty bytes) on
//! tx, with response.
//!
//! Once connected, `generic0` (the PnP ID) is read. Devices answering with six bytes or fewer
//! (their Bluetooth address) want a handshake, both writes to tx with response: twenty `01`s,
//! then `01 02`, sixteen check bytes and `00 00`. The check byte is the high byte of the
//! CRC-16/XMODEM (polynomial `1021`, starting from 0) of `01` followed by what was read.
//! Longer answers mean no handshake.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// Every packet's length.
const PACKET_LENGTH: usize = 20;
/// Answers to the `generic0` read longer than this mean the device wants no handshake.
const ADDRESS_LENGTH: usize = 6;

/// The protocol for any `ankni` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Ankni))
}

/// CRC-16/XMODEM: polynomial `1021`, starting from 0, most significant bit first.
pub(super) fn crc16_xmodem(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |crc, &b| {
        (0..8).fold(crc ^ (u16::from(b) << 8), |crc, _| {
            if crc & 0x8000 == 0 {
                crc << 1
            } else {
                (crc << 1) ^ 0x1021
            }
        })
    })
}

/// The handshake for a device that answered the `generic0` read with `address`.
pub(super) fn handshake(address: &[u8]) -> Vec<Vec<u8>> {
    let mut checked = vec![0x01];
    checked.extend_from_slice(address);
    let [check, _] = crc16_xmodem(&checked).to_be_bytes();
    let mut second = vec![0x01, 0x02];
    second.resize(PACKET_LENGTH - 2, check);
    second.extend([0x00, 0x00]);
    vec![vec![0x01; PACKET_LENGTH], second]
}

#[derive(Debug)]
struct Ankni;

impl Protocol for Ankni {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let answer = hardware.read(Endpoint::Generic(0), READ_TIMEOUT).await?;
            if answer.len() <= ADDRESS_LENGTH {
                for packet in handshake(&answer) {
                    hardware
                        .write(HardwareWrite::new(Endpoint::Tx, packet, true))
                        .await?;
                }
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut packet = vec![0x03, 0x12, vibration(state, 0)];
        packet.resize(PACKET_LENGTH, 0x00);
        tx(packet, true)
    }
}

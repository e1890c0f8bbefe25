//! Youou (`youou`): vibrate 0–255 as a 17-byte packet on tx, without response:
//! `aa 55 ID 02 03 01 SPEED ON CHECK ff` and seven zeros. `ID` counts the packets sent, from
//! 0; `ON` is 1 while it runs; `CHECK` is the XOR of the eight bytes before it. Every model
//! identifies as `VX001_`, whatever its advertised name goes on with.

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::HardwareWrite;
use crate::protocol::{Identification, OutputState, Protocol};

/// The identifier every model goes by in the configuration.
const IDENTIFIER: &str = "VX001_";

/// The protocol for any `youou` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Youou::default()))
}

#[derive(Debug, Default)]
struct Youou {
    /// The next packet's number.
    packet_id: u8,
}

impl Protocol for Youou {
    fn identification(&self) -> Identification {
        Identification::Fixed(IDENTIFIER.to_owned())
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speed = vibration(state, 0);
        let id = self.packet_id;
        self.packet_id = id.wrapping_add(1);
        let mut packet = vec![0xaa, 0x55, id, 0x02, 0x03, 0x01, speed, u8::from(speed > 0)];
        let check = packet.iter().fold(0, |check, b| check ^ b);
        packet.extend([check, 0xff]);
        packet.resize(17, 0x00);
        tx(packet, false)
    }
}

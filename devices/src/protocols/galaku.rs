//! Galaku (`galaku`): scrambled 12-byte packets on tx, without response.
//!
//! Every packet is [`seal`]ed: `23`, a 10-byte payload, a checksum (the sum of the bytes before
//! it), then every byte after the first scrambled with a key picked by the byte before it.
//!
//! | model | payload |
//! |---|---|
//! | one motor | `5a 00 00 01 31 S 00 00 00 00` |
//! | two motors (vibrators, a vibrator and an oscillator, constrictor or rotator) | `5a 00 00 01 40 03 A B 00 00`, the first and second motor's speeds in feature order |
//! | the Vision (`AC695X_1(BLE)`), a pump | unsealed, 16 bytes: `aa 01 0a 03 S R 00…`, `R` = 1 while running |
//! | battery request (with response) | `5a 00 00 01 13 00 00 00 00 00`, answered as a notification on `rxblebattery` |
//!
//! No identification and no initialisation: the advertised name is the model.

use std::sync::Arc;

use plugwire_core::message::{InputType, OutputCommand, OutputType};

use super::packet::{byte, output_layout, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{OutputState, Protocol, Reading};
use crate::protocol::reads::battery_from_answer;

/// The first byte of every sealed packet, also mixed into every scrambled byte.
const HEADER: u8 = 0x23;

/// The scrambling keys: row by the low two bits of the previous scrambled byte, column by
/// position in the packet.
const KEYS: [[u8; 12]; 4] = [
    [
        0x00, 0x18, 0x98, 0xf7, 0xa5, 0x3d, 0x0d, 0x29, 0x25, 0x50, 0x44, 0x46,
    ],
    [
        0x00, 0x45, 0x6e, 0x6a, 0x6f, 0x78, 0x20, 0x53, 0x2d, 0x31, 0x2e, 0x37,
    ],
    [
        0x00, 0x65, 0x78, 0x20, 0x54, 0x6f, 0x79, 0x73, 0x0a, 0x8e, 0x9d, 0xa3,
    ],
    [
        0x00, 0xc5, 0xd6, 0xe7, 0xf8, 0x0a, 0x32, 0x20, 0x6f, 0x62, 0x0d, 0x0a,
    ],
];

/// The advertised name of the one model that takes unsealed pump packets.
const VISION: &str = "AC695X_1(BLE)";

/// A payload as the device takes it: header, payload and checksum, scrambled (shared with
/// `galaku-pump`, which seals its packets the same way).
pub(super) fn seal(payload: [u8; 10]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(12);
    plain.push(HEADER);
    plain.extend_from_slice(&payload);
    plain.push(plain.iter().fold(0u8, |sum, b| sum.wrapping_add(*b)));
    let mut sealed = Vec::with_capacity(plain.len());
    for (position, &b) in plain.iter().enumerate() {
        let scrambled = match sealed.last() {
            None => b,
            Some(&previous) => {
                let key = KEYS[usize::from(previous & 3)][position];
                (key ^ HEADER ^ b).wrapping_add(key)
            }
        };
        sealed.push(scrambled);
    }
    sealed
}

/// The protocol for a `galaku` device advertising `device_name`.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Galaku {
        vision: device_name == VISION,
        layout: Vec::new(),
    }))
}

#[derive(Debug)]
struct Galaku {
    /// The Vision's pump packets instead of sealed ones.
    vision: bool,
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
}

impl Galaku {
    /// The speed of the `n`-th output.
    fn speed(&self, state: &OutputState, n: usize) -> u8 {
        self.layout
            .get(n)
            .map_or(0, |&(feature, t)| byte(value_of(state, feature, t)))
    }
}

impl Protocol for Galaku {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.layout = output_layout(&model.features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let first = self.speed(state, 0);
        let packet = if self.layout.len() > 1 {
            seal([0x5a, 0, 0, 1, 0x40, 3, first, self.speed(state, 1), 0, 0])
        } else if self.vision {
            let mut pump = vec![0xaa, 1, 10, 3, first, u8::from(first != 0)];
            pump.resize(16, 0);
            pump
        } else {
            seal([0x5a, 0, 0, 1, 0x31, first, 0, 0, 0, 0])
        };
        tx(packet, false)
    }

    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> Reading {
        let request = seal([0x5a, 0, 0, 1, 0x13, 0, 0, 0, 0, 0]);
        let request = HardwareWrite::new(Endpoint::Tx, request, true);
        battery_from_answer(hardware, input_type, request, Endpoint::RxBleBattery, |data| {
            data.first().copied()
        })
    }
}

//! Sensee v2 (`sensee-v2`): every output in one packet on tx, without response, on every
//! change:
//!
//! `55 aa f0 02 00 LEN TYPE f1 KINDS (KIND COUNT (N VALUE)×COUNT)×KINDS 00 00`
//!
//! - `LEN` counts the bytes after it, from `TYPE` to the end;
//! - `KIND` is 0 for vibrators, 1 for thrusters (oscillate), 2 for suction (constrict), in that
//!   order, each present only when the model has such outputs; `KINDS` says how many are;
//! - `N` counts a kind's outputs from 1 in feature order; `VALUE` is 0–100;
//! - the closing `00 00` is a checksum field, left at zero (as the devices take it).
//!
//! `TYPE` is the device type, byte 6 of what a read of tx answers at connection (`65` when
//! it answers nothing, a 0 there, or something shorter).

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// The device type a model that does not say gets.
const DEFAULT_DEVICE_TYPE: u8 = 0x65;
/// Where the device type is in the answer to the read at connection.
const DEVICE_TYPE_AT: usize = 6;
/// The output kinds, by their number in the packet.
const KINDS: [(u8, OutputType); 3] = [
    (0, OutputType::Vibrate),
    (1, OutputType::Oscillate),
    (2, OutputType::Constrict),
];

/// The protocol for any `sensee-v2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SenseeV2 {
        device_type: DEFAULT_DEVICE_TYPE,
        kinds: Vec::new(),
    }))
}

#[derive(Debug)]
struct SenseeV2 {
    device_type: u8,
    /// Each kind the model has: its number, its type and its outputs' features, in order.
    kinds: Vec<(u8, OutputType, Vec<u32>)>,
}

impl SenseeV2 {
    fn packet(&self, state: &OutputState) -> Vec<u8> {
        let mut outputs = vec![count_byte(self.kinds.len())];
        for (kind, output_type, features) in &self.kinds {
            outputs.extend([*kind, count_byte(features.len())]);
            for (n, feature) in (1..).zip(features) {
                outputs.extend([n, byte(value_of(state, *feature, *output_type))]);
            }
        }
        // Type, function code, the outputs, the checksum.
        let length = count_byte(outputs.len().saturating_add(4));
        let mut packet = vec![0x55, 0xaa, 0xf0, 0x02, 0x00, length, self.device_type, 0xf1];
        packet.extend(outputs);
        packet.extend([0x00, 0x00]);
        packet
    }
}

fn count_byte(count: usize) -> u8 {
    u8::try_from(count).unwrap_or(u8::MAX)
}

impl Protocol for SenseeV2 {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let answer = match hardware.read(Endpoint::Tx, READ_TIMEOUT).await {
                Ok(answer) => answer,
                // A device that does not say what it is still takes the default type.
                Err(HardwareError::Timeout) => Vec::new(),
                Err(error) => return Err(error),
            };
            self.device_type = answer
                .get(DEVICE_TYPE_AT)
                .copied()
                .filter(|t| *t != 0)
                .unwrap_or(DEFAULT_DEVICE_TYPE);
            Ok(None)
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.kinds = KINDS
            .iter()
            .map(|&(kind, output_type)| {
                let features = model
                    .features
                    .iter()
                    .filter(|f| f.output.contains_key(&output_type))
                    .map(|f| f.feature_index)
                    .collect::<Vec<_>>();
                (kind, output_type, features)
            })
            .filter(|(_, _, features)| !features.is_empty())
            .collect();
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx(self.packet(state), false)
    }
}

//! Libo Elle (`libo-elle`): one byte per vibrator, without response. The first vibrator's
//! speed (0–3) goes to txmode as it is; a second vibrator's goes to tx as `LEVEL<<4 | MODE`:
//! speeds 1–7 are levels 0–6 in mode 1, speeds from 8 on levels 0… in mode 4, and 0 is `00`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::byte;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `libo-elle` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LiboElle))
}

/// The byte for the second vibrator at `speed`.
fn level_and_mode(speed: u8) -> u8 {
    match speed {
        0 => 0,
        1..=7 => (speed - 1) << 4 | 1,
        _ => (speed - 8) << 4 | 4,
    }
}

#[derive(Debug)]
struct LiboElle;

impl Protocol for LiboElle {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        changed
            .iter()
            .filter(|(_, command)| command.output_type() == OutputType::Vibrate)
            .map(|&(feature, command)| {
                let speed = byte(command.value());
                if feature == 1 {
                    HardwareWrite::new(Endpoint::Tx, [level_and_mode(speed)], false)
                } else {
                    HardwareWrite::new(Endpoint::TxMode, [speed], false)
                }
            })
            .collect()
    }
}

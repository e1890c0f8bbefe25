//! Hismith mini (`hismith-mini`): the newer Hismith machines, Sinloli, Eropair and Auxfun.
//! Every command is four bytes on tx, without response: `cc MOTOR SPEED SUM`, `SUM` being
//! `MOTOR + SPEED`.
//!
//! | output | bytes |
//! |---|---|
//! | oscillator | `cc 03 S S+3` |
//! | vibrator | motor `03` when it is the first of two vibrators, `05` otherwise |
//! | constrictor | motor `05` when it is the second feature, `03` otherwise |
//! | rotator | `cc 03 S S+3` with the speed's size, then the direction: `cc 01 c0 c1` clockwise (and stopped), `cc 01 c1 c2` counter-clockwise |
//! | lube spray | `cc 0b 01 0c` for a shot (nothing for 0) |
//!
//! Identification reads the model id from `rxblemodel`, its bytes in hex (`22 05` is model
//! `2205`); devices advertising an old Hismith name may be handed over from `hismith` too.

use plugwire_core::message::{OutputCommand, OutputType};

use super::hismith::{checked_packet, read_model_id};
use super::packet::{byte, vibrator_count};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};

/// The first byte of every packet.
const PREFIX: u8 = 0xcc;
/// The motor byte of the first motor.
const FIRST_MOTOR: u8 = 0x03;
/// The motor byte of the second motor (and of a lone vibrator).
const SECOND_MOTOR: u8 = 0x05;
/// The direction packets' motor byte.
const DIRECTION: u8 = 0x01;
/// The direction byte for clockwise; counter-clockwise is one more.
const CLOCKWISE: u8 = 0xc0;
/// The packet that fires the lube spray.
const SPRAY_SHOT: [u8; 4] = [PREFIX, 0x0b, 0x01, 0x0c];

/// The protocol for any `hismith-mini` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(HismithMini::default()))
}

#[derive(Debug, Default)]
struct HismithMini {
    /// The model has two vibrators, told apart by their motor byte.
    two_vibrators: bool,
    /// The model's constrictor is its second feature.
    constrictor_second: bool,
}

fn tx(data: Vec<u8>) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, data, false)
}

impl Protocol for HismithMini {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move { read_model_id(hardware).await.map(Some) })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.two_vibrators = vibrator_count(&model.features) >= 2;
        self.constrictor_second = model
            .features
            .iter()
            .position(|f| f.output.contains_key(&OutputType::Constrict))
            == Some(1);
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut writes = Vec::new();
        for &(feature, command) in changed {
            let value = command.value();
            let speed = byte(value.saturating_abs());
            match command.output_type() {
                OutputType::Oscillate => {
                    writes.push(tx(checked_packet(PREFIX, FIRST_MOTOR, speed)));
                }
                OutputType::Vibrate => {
                    let motor = if self.two_vibrators && feature != 1 {
                        FIRST_MOTOR
                    } else {
                        SECOND_MOTOR
                    };
                    writes.push(tx(checked_packet(PREFIX, motor, speed)));
                }
                OutputType::Constrict => {
                    let motor = if self.constrictor_second {
                        SECOND_MOTOR
                    } else {
                        FIRST_MOTOR
                    };
                    writes.push(tx(checked_packet(PREFIX, motor, speed)));
                }
                OutputType::Rotate => {
                    let direction = CLOCKWISE + u8::from(value < 0);
                    writes.push(tx(checked_packet(PREFIX, FIRST_MOTOR, speed)));
                    writes.push(tx(checked_packet(PREFIX, DIRECTION, direction)));
                }
                OutputType::Spray if value != 0 => writes.push(tx(SPRAY_SHOT.to_vec())),
                _ => {}
            }
        }
        writes
    }
}

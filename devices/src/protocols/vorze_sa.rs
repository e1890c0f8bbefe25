//! Vorze (`vorze-sa`): every variant writes three bytes on tx, with response, the first
//! naming the device (A10 Cyclone SA 01, UFO SA 02, Piston 03, UFO TW 05, Bach 06,
//! Rocket 07, Omorfi 09):
//! - one rotator (`vorze-sa-single-rotator`): `DEVICE 01 ROTATOR`;
//! - two rotators (`vorze-sa-dual-rotator`, the UFO TW): `05 FIRST SECOND`; each rotator
//!   (−99–99, negative counter-clockwise) as `clockwise<<7 | speed`;
//! - one vibrator (`vorze-sa-single-vibrator`): `DEVICE 03 SPEED`, speed 0–100;
//! - two vibrators (`vorze-sa-dual-vibrator`, the Omorfi): `09 FIRST SECOND`, speeds 0–99;
//! - the Piston (`vorze-sa-piston`): `03 POSITION SPEED`, position 0–99 and the speed (0–100)
//!   that covers the distance from the last position in the move's duration.
//!
//! The device byte of the single-motor variants comes from the advertised name.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{LastPosition, byte, moves, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The configuration's variants of this protocol driven here.
pub(super) const VARIANTS: &[&str] = &[
    SINGLE_ROTATOR,
    DUAL_ROTATOR,
    SINGLE_VIBRATOR,
    DUAL_VIBRATOR,
    PISTON,
];
const SINGLE_ROTATOR: &str = "vorze-sa-single-rotator";
const DUAL_ROTATOR: &str = "vorze-sa-dual-rotator";
const SINGLE_VIBRATOR: &str = "vorze-sa-single-vibrator";
const DUAL_VIBRATOR: &str = "vorze-sa-dual-vibrator";
const PISTON: &str = "vorze-sa-piston";

/// The device bytes of the models whose packets carry one.
const CYCLONE: u8 = 0x01;
const UFO: u8 = 0x02;
const PISTON_DEVICE: u8 = 0x03;
const UFO_TW: u8 = 0x05;
const BACH: u8 = 0x06;
const ROCKET: u8 = 0x07;
const OMORFI: u8 = 0x09;

/// The action byte of the single-motor packets.
const ROTATE: u8 = 0x01;
const VIBRATE: u8 = 0x03;

/// Parts of advertised names (lower case, letters and digits only) and the device each
/// names; the first that fits wins, so `ufotw` comes before `ufo`.
const NAMES: &[(&str, u8)] = &[
    ("cycsa", CYCLONE),
    ("ufotw", UFO_TW),
    ("ufo", UFO),
    ("bach", BACH),
    ("rocket", ROCKET),
    ("omor", OMORFI),
    ("piston", PISTON_DEVICE),
];

/// The protocol for a device advertising `device_name`, if it is a known Vorze device.
pub(super) fn protocol(device_name: &str) -> Option<Box<dyn Protocol>> {
    let name: String = device_name
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let device = NAMES
        .iter()
        .find(|(part, _)| name.contains(part))
        .map(|&(_, device)| device)?;
    Some(Box::new(VorzeSa {
        device,
        variant: Variant::SingleRotator,
        position: LastPosition::default(),
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    SingleRotator,
    DualRotator,
    SingleVibrator,
    DualVibrator,
    Piston,
}

#[derive(Debug)]
struct VorzeSa {
    device: u8,
    variant: Variant,
    /// Where the Piston was last sent.
    position: LastPosition,
}

/// One rotator's byte: direction in the top bit, speed 0–99 below.
fn rotator(state: &OutputState, feature_index: u32) -> u8 {
    let value = value_of(state, feature_index, OutputType::Rotate);
    let clockwise = u8::from(value >= 0) << 7;
    clockwise | u8::try_from(value.unsigned_abs().min(99)).unwrap_or(99)
}

/// The Piston's speed (0–100) to travel `distance` position steps in `duration_ms`: the time
/// a full 200-step stroke would take at that pace, t, gives (t / 6658)^−1.21. Standing still
/// is full speed.
fn piston_speed(distance: u32, duration_ms: u32) -> u8 {
    if distance == 0 {
        return 100;
    }
    let distance = f64::from(distance.min(200));
    let full_stroke_ms = 200.0 * f64::from(duration_ms) / distance;
    let speed = (full_stroke_ms / 6658.0).powf(-1.21).clamp(0.0, 100.0);
    // Truncated, as the firmware expects.
    speed as u8
}

impl Protocol for VorzeSa {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.variant = match model.protocol_variant.as_deref() {
            Some(DUAL_ROTATOR) => Variant::DualRotator,
            Some(SINGLE_VIBRATOR) => Variant::SingleVibrator,
            Some(DUAL_VIBRATOR) => Variant::DualVibrator,
            Some(PISTON) => Variant::Piston,
            _ => Variant::SingleRotator,
        };
        // The two-motor models and the Piston have one device byte whatever their name.
        match self.variant {
            Variant::DualRotator => self.device = UFO_TW,
            Variant::DualVibrator => self.device = OMORFI,
            Variant::Piston => self.device = PISTON_DEVICE,
            Variant::SingleRotator | Variant::SingleVibrator => {}
        }
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let vibration = |feature| byte(value_of(state, feature, OutputType::Vibrate));
        match self.variant {
            Variant::SingleRotator => tx([self.device, ROTATE, rotator(state, 0)], true),
            Variant::DualRotator => tx([self.device, rotator(state, 0), rotator(state, 1)], true),
            Variant::SingleVibrator => tx([self.device, VIBRATE, vibration(0)], true),
            Variant::DualVibrator => tx([self.device, vibration(0), vibration(1)], true),
            Variant::Piston => moves(changed)
                .flat_map(|move_to| {
                    let target = move_to.value.clamp(0, 99);
                    let from = self.position.move_to(target);
                    let speed = piston_speed(from.abs_diff(target), move_to.duration);
                    tx([self.device, byte(target), speed], true)
                })
                .collect(),
        }
    }

    fn written(&mut self, success: bool) {
        self.position.written(success);
    }
}

//! Fluffer (`fluffer`): recognised by its manufacturer data (company 0x684a). Every packet
//! is AES-128 encrypted (ECB, PKCS#7 padding, key `jdk#Flu%y6fer32f`) and written to tx
//! without response. The plain packet carries both motors, `82 0f 05 00 FIRST SECOND 00 00`,
//! each a speed 0–100 (a vibrator, an oscillator, or a rotator turning clockwise), or 100 +
//! the speed for a rotator turning the other way. On connection rx is subscribed to.
//!
//! buttplug-rs also authenticates when the advertisement's manufacturer data is known (a hash
//! of those bytes and a random nonce); protocols here see only the advertised name, so, as
//! buttplug-rs does without that data, no handshake is made.

use plugwire_core::message::{OutputCommand, OutputType};

use super::cipher::Aes128;
use super::packet::{byte, tx, value_of};
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{Identification, OutputState, Protocol};

/// The key every packet is encrypted with.
const KEY: &[u8; 16] = b"jdk#Flu%y6fer32f";
/// Added to a rotator's speed when it turns counter-clockwise.
const COUNTER_CLOCKWISE: i32 = 100;

/// The protocol for any `fluffer` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Fluffer {
        cipher: Aes128::new(KEY),
    }))
}

struct Fluffer {
    cipher: Aes128,
}

/// A motor's byte: whichever output the feature has.
fn motor(state: &OutputState, feature_index: u32) -> u8 {
    let rotation = value_of(state, feature_index, OutputType::Rotate);
    if rotation != 0 {
        let turned = if rotation < 0 {
            rotation.saturating_neg().saturating_add(COUNTER_CLOCKWISE)
        } else {
            rotation
        };
        return byte(turned);
    }
    [OutputType::Vibrate, OutputType::Oscillate]
        .into_iter()
        .map(|t| byte(value_of(state, feature_index, t)))
        .max()
        .unwrap_or(0)
}

impl Protocol for Fluffer {
    fn identification(&self) -> Identification {
        Identification::Subscribe(Endpoint::Rx)
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let plain = [
            0x82,
            0x0f,
            0x05,
            0x00,
            motor(state, 0),
            motor(state, 1),
            0x00,
            0x00,
        ];
        tx(self.cipher.encrypt(&plain), false)
    }
}

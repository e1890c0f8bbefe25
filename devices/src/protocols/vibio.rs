//! Vibio (`vibio`): text commands, AES-128-ECB encrypted (PKCS#7 padding, a fixed key), on
//! tx without response; the device's replies come encrypted the same way on rx.
//!
//! | when | text |
//! |---|---|
//! | on connecting (rx subscribed) | `Auth:NONCE;`, eight random letters and digits |
//! | the device challenges | `XXXX:TEXT;` (`XXXX` four hex digits), answered `Auth:HHHH;`, the first two bytes of the SHA-256 of `TEXT` in hex |
//! | the device accepts | `OK;` |
//! | every command | `MtInt:AABB;`, both vibrators' speeds (0–99) as two digits each |
//!
//! VibCrafter's scheme too, with another key and nonce length: [`ChallengeVibrators`].

use std::time::Duration;

use super::cipher::ChallengeVibrators;
use crate::protocol::Protocol;

/// The key every message is encrypted with.
pub(super) const KEY: &[u8; 16] = b"jdk#vib%y5fir21a";
/// How many letters and digits the opening nonce has.
const NONCE_LEN: usize = 8;
/// How long the device may take with each step of the handshake.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(1);

/// The protocol for any `vibio` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(ChallengeVibrators::new(
        KEY,
        NONCE_LEN,
        HANDSHAKE_WAIT,
    )))
}

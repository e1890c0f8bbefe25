//! VibCrafter (`vibcrafter`): text commands, AES-128 encrypted (ECB, PKCS#7 padding, key
//! `jdk#Cra%f5Vib28r`), on tx without response; answers come the same way on rx.
//!
//! On connection, after subscribing to rx: `Auth:NONCE;`, NONCE six random letters and
//! digits. The device answers `OK;` (done) or a challenge `XXXX:TEXT;`, answered with
//! `Auth:HHHH;`, HHHH the first two bytes of TEXT's SHA-256 in hex; and so on until `OK;`.
//! Then both motors' speeds (0–99), two digits each: `MtInt:FIRSTSECOND;` (`MtInt:0742;`).
//!
//! Vibio's scheme too, with another key and nonce length: [`ChallengeVibrators`].

use super::cipher::ChallengeVibrators;
use crate::protocol::{Protocol, READ_TIMEOUT};

/// The key every packet is encrypted with.
pub(super) const KEY: &[u8; 16] = b"jdk#Cra%f5Vib28r";
/// How long the first nonce is.
const NONCE_LEN: usize = 6;

/// The protocol for any `vibcrafter` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(ChallengeVibrators::new(
        KEY,
        NONCE_LEN,
        READ_TIMEOUT,
    )))
}

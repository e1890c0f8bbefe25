//! VibCrafter (`vibcrafter`): text commands, AES-128 encrypted (ECB, PKCS#7 padding, key
//! `jdk#Cra%f5Vib28r`), on tx without response; answers come the same way on rx.
//!
//! On connection, after subscribing to rx: `Auth:NONCE;`, NONCE six random letters and
//! digits. The device answers `OK;` (done) or a challenge `XXXX:TEXT;`, answered with
//! `Auth:HHHH;`, HHHH the first two bytes of TEXT's SHA-256 in hex; and so on until `OK;`.
//! Then both motors' speeds (0–99), two digits each: `MtInt:FIRSTSECOND;` (`MtInt:0742;`).

use futures::future::BoxFuture;
use plugwire_core::message::OutputCommand;

use super::cipher::{Aes128, sha256};
use super::packet::{next_notification, vibration};
use super::{Protocol, READ_TIMEOUT};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::scheduler::OutputState;

/// The key every packet is encrypted with.
const KEY: &[u8; 16] = b"jdk#Cra%f5Vib28r";
/// How many challenges the device may ask before it is taken not to be one.
const MAX_CHALLENGES: usize = 4;
/// How long the first nonce is.
const NONCE_LEN: usize = 6;

/// The protocol for any `vibcrafter` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(VibCrafter {
        cipher: Aes128::new(KEY),
    }))
}

/// Six random letters and digits.
fn nonce() -> Result<String, HardwareError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random = [0u8; NONCE_LEN];
    getrandom::fill(&mut random).map_err(|error| HardwareError::Stack(Box::new(error)))?;
    Ok(random
        .iter()
        .map(|&r| char::from(ALPHABET[usize::from(r) % ALPHABET.len()]))
        .collect())
}

/// The answer to a challenge `XXXX:TEXT;`, or `None` if `reply` is not one.
pub(super) fn challenge_answer(reply: &str) -> Option<String> {
    let (tag, rest) = reply.split_once(':')?;
    let text = rest.strip_suffix(';')?;
    let alphanumeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if tag.len() != 4 || !alphanumeric(tag) || !alphanumeric(text) {
        return None;
    }
    let digest = sha256(text.as_bytes());
    Some(format!("Auth:{:02x}{:02x};", digest[0], digest[1]))
}

struct VibCrafter {
    cipher: Aes128,
}

impl VibCrafter {
    fn command(&self, text: &str) -> HardwareWrite {
        HardwareWrite::new(Endpoint::Tx, self.cipher.encrypt(text.as_bytes()), false)
    }
}

impl Protocol for VibCrafter {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        Box::pin(async move {
            let mut replies = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            let mut next = format!("Auth:{};", nonce()?);
            for _ in 0..=MAX_CHALLENGES {
                hardware.write(self.command(&next)).await?;
                let data = next_notification(&mut replies, Endpoint::Rx, READ_TIMEOUT)
                    .await?
                    .ok_or(HardwareError::Timeout)?;
                let bad_reply = || HardwareError::BadReply {
                    endpoint: Endpoint::Rx,
                    data: data.clone(),
                };
                let reply = self
                    .cipher
                    .decrypt(&data)
                    .and_then(|plain| String::from_utf8(plain).ok())
                    .ok_or_else(bad_reply)?;
                if reply == "OK;" {
                    return Ok(None);
                }
                next = challenge_answer(&reply).ok_or_else(bad_reply)?;
            }
            Err(HardwareError::Timeout)
        })
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speeds = format!(
            "MtInt:{:02}{:02};",
            vibration(state, 0).min(99),
            vibration(state, 1).min(99)
        );
        vec![self.command(&speeds)]
    }
}

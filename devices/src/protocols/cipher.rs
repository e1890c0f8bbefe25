//! The ciphers a few protocols scramble their packets with: AES-128 in ECB mode with PKCS#7
//! padding (Fluffer, Vibio, VibCrafter) and SHA-256 (the Vibio and VibCrafter handshake), over
//! the `aes` and `sha2` crates. The devices' keys are public: this is obfuscation, not
//! security. Vibio and VibCrafter are one vendor's scheme, [`ChallengeVibrators`], each with
//! its own key, nonce length and patience.

use std::time::Duration;

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use plugwire_core::message::OutputCommand;
use sha2::{Digest, Sha256};

use super::packet::vibration;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::reads::next_notification;
use crate::protocol::{Identified, OutputState, Protocol};

/// AES works on blocks of this many bytes.
const BLOCK: usize = 16;

/// An AES-128 key, ready to encrypt and decrypt whole messages (ECB, PKCS#7 padding).
pub(crate) struct Aes128 {
    cipher: aes::Aes128,
}

impl Aes128 {
    pub(crate) fn new(key: &[u8; BLOCK]) -> Self {
        Self {
            cipher: aes::Aes128::new(&Array::from(*key)),
        }
    }

    /// `data` padded (PKCS#7) and encrypted block by block (ECB).
    pub(crate) fn encrypt(&self, data: &[u8]) -> Vec<u8> {
        let padding = BLOCK - data.len() % BLOCK;
        let mut out = data.to_vec();
        out.resize(data.len() + padding, u8::try_from(padding).unwrap_or(0));
        // Whole blocks only (the padding saw to it), so every chunk converts.
        for chunk in out.chunks_exact_mut(BLOCK) {
            if let Ok(block) = chunk.try_into() {
                self.cipher.encrypt_block(block);
            }
        }
        out
    }

    /// What [`Aes128::encrypt`] made `data` from; `None` if it is not such a thing.
    pub(crate) fn decrypt(&self, data: &[u8]) -> Option<Vec<u8>> {
        if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
            return None;
        }
        let mut out = data.to_vec();
        for chunk in out.chunks_exact_mut(BLOCK) {
            if let Ok(block) = chunk.try_into() {
                self.cipher.decrypt_block(block);
            }
        }
        let padding = usize::from(*out.last()?);
        let kept = out.len().checked_sub(padding)?;
        let well_padded = (1..=BLOCK).contains(&padding)
            && out[kept..].iter().all(|&b| usize::from(b) == padding);
        well_padded.then(|| {
            out.truncate(kept);
            out
        })
    }
}

/// The SHA-256 digest of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// How many challenges a Vibio or VibCrafter device may send before it is given up on.
const MAX_CHALLENGES: usize = 4;

/// `nonce_len` random letters and digits.
fn nonce(nonce_len: usize) -> Result<String, HardwareError> {
    const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random = vec![0u8; nonce_len];
    getrandom::fill(&mut random).map_err(|error| HardwareError::Stack(Box::new(error)))?;
    Ok(random
        .iter()
        .map(|&r| char::from(ALPHANUMERIC[usize::from(r) % ALPHANUMERIC.len()]))
        .collect())
}

/// The answer to a challenge `XXXX:TEXT;` (`XXXX` four hex digits): `Auth:HHHH;`, the first
/// two bytes of the SHA-256 of `TEXT` in hex; `None` when `reply` is not a challenge.
pub(crate) fn challenge_answer(reply: &str) -> Option<String> {
    let (tag, text) = reply.strip_suffix(';')?.split_once(':')?;
    let tagged = tag.len() == 4 && tag.chars().all(|c| c.is_ascii_hexdigit());
    if !tagged || text.is_empty() || text.contains(';') {
        return None;
    }
    let digest = sha256(text.as_bytes());
    Some(format!("Auth:{:02x}{:02x};", digest[0], digest[1]))
}

/// `text` encrypted with `cipher`, written to tx without response.
fn encrypted_text(cipher: &Aes128, text: &str) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, cipher.encrypt(text.as_bytes()), false)
}

/// The handshake Vibio and VibCrafter devices share, every message encrypted with `cipher`:
/// after subscribing to rx, `Auth:NONCE;` with `nonce_len` random letters and digits; the
/// device answers `OK;` (done) or a challenge (see [`challenge_answer`]), whose answer is
/// sent in turn, until `OK;`. The device may take `wait` for each answer.
async fn challenge_handshake(
    hardware: &dyn Hardware,
    cipher: &Aes128,
    nonce_len: usize,
    wait: Duration,
) -> Result<(), HardwareError> {
    let mut replies = hardware.notifications();
    hardware.subscribe(Endpoint::Rx).await?;
    let mut next = format!("Auth:{};", nonce(nonce_len)?);
    for _ in 0..=MAX_CHALLENGES {
        hardware.write(encrypted_text(cipher, &next)).await?;
        let data = next_notification(&mut replies, Endpoint::Rx, wait)
            .await?
            .ok_or(HardwareError::Timeout)?;
        let bad_reply = || HardwareError::BadReply {
            endpoint: Endpoint::Rx,
            data: data.clone(),
        };
        let reply = cipher
            .decrypt(&data)
            .and_then(|plain| String::from_utf8(plain).ok())
            .ok_or_else(bad_reply)?;
        if reply == "OK;" {
            return Ok(());
        }
        next = challenge_answer(&reply).ok_or_else(bad_reply)?;
    }
    Err(HardwareError::Timeout)
}

/// Vibio's and VibCrafter's protocol: text commands encrypted with `key` on tx, without
/// response; on connecting, [`challenge_handshake`]; then every command is `MtInt:AABB;`,
/// both vibrators' speeds (0–99) as two digits each.
pub(crate) struct ChallengeVibrators {
    cipher: Aes128,
    /// How many letters and digits the opening nonce has.
    nonce_len: usize,
    /// How long the device may take with each step of the handshake.
    wait: Duration,
}

impl ChallengeVibrators {
    pub(crate) fn new(key: &[u8; BLOCK], nonce_len: usize, wait: Duration) -> Self {
        Self {
            cipher: Aes128::new(key),
            nonce_len,
            wait,
        }
    }
}

impl Protocol for ChallengeVibrators {
    fn identify<'a>(&'a mut self, hardware: &'a dyn Hardware) -> Identified<'a> {
        Box::pin(async move {
            challenge_handshake(hardware, &self.cipher, self.nonce_len, self.wait).await?;
            Ok(None)
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
        vec![encrypted_text(&self.cipher, &speeds)]
    }
}

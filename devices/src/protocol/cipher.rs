//! The ciphers a few protocols scramble their packets with: AES-128 in ECB mode with PKCS#7
//! padding (Fluffer, VibCrafter) and SHA-256 (VibCrafter's handshake), over the `aes` and
//! `sha2` crates. The devices' keys are public: this is obfuscation, not security.

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use sha2::{Digest, Sha256};

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

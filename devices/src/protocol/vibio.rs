//! Vibio (`vibio`): text commands, AES-128-ECB encrypted (PKCS#7 padding, a fixed key), on
//! tx without response; the device's replies come encrypted the same way on rx.
//!
//! | when | text |
//! |---|---|
//! | on connecting (rx subscribed) | `Auth:NONCE;`, eight random letters and digits |
//! | the device challenges | `XXXX:TEXT;` (`XXXX` four hex digits), answered `Auth:HHHH;`, the first two bytes of the SHA-256 of `TEXT` in hex |
//! | the device accepts | `OK;` |
//! | every command | `MtInt:AABB;`, both vibrators' speeds (0–99) as two digits each |

use std::time::Duration;

use aes::Aes128;
use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use futures::future::BoxFuture;
use plugwire_core::message::OutputCommand;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use super::Protocol;
use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use crate::scheduler::OutputState;

/// The key every message is encrypted with.
const KEY: [u8; 16] = *b"jdk#vib%y5fir21a";
/// AES's block size.
const BLOCK: usize = 16;
/// How many letters and digits the opening nonce has.
const NONCE_LEN: usize = 8;
/// How long the device may take with each step of the handshake.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(1);
/// How many challenges the device may send before it is given up on.
const MAX_CHALLENGES: usize = 4;

/// The protocol for any `vibio` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Vibio))
}

/// `text` as the device takes it: padded (PKCS#7) and encrypted block by block.
pub(super) fn encrypt(text: &str) -> Vec<u8> {
    let cipher = Aes128::new(&Array::from(KEY));
    let mut data = text.as_bytes().to_vec();
    let padding = BLOCK - data.len() % BLOCK;
    data.resize(data.len() + padding, u8::try_from(padding).unwrap_or(0));
    // Whole blocks only (the padding saw to it), so every chunk converts.
    for chunk in data.chunks_exact_mut(BLOCK) {
        if let Ok(block) = chunk.try_into() {
            cipher.encrypt_block(block);
        }
    }
    data
}

/// The text of a message from the device; `None` when it is not one (wrong length, bad
/// padding, not UTF-8).
pub(super) fn decrypt(data: &[u8]) -> Option<String> {
    if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
        return None;
    }
    let cipher = Aes128::new(&Array::from(KEY));
    let mut plain = data.to_vec();
    for chunk in plain.chunks_exact_mut(BLOCK) {
        if let Ok(block) = chunk.try_into() {
            cipher.decrypt_block(block);
        }
    }
    let padding = usize::from(*plain.last()?);
    let kept = plain.len().checked_sub(padding)?;
    let pad_ok =
        (1..=BLOCK).contains(&padding) && plain[kept..].iter().all(|&b| usize::from(b) == padding);
    if !pad_ok {
        return None;
    }
    plain.truncate(kept);
    String::from_utf8(plain).ok()
}

/// The answer to a challenge `XXXX:TEXT;`, or `None` when `reply` is not one.
pub(super) fn answer_to(reply: &str) -> Option<String> {
    let (tag, text) = reply.strip_suffix(';')?.split_once(':')?;
    let tagged = tag.len() == 4 && tag.chars().all(|c| c.is_ascii_hexdigit());
    if !tagged || text.is_empty() || text.contains(';') {
        return None;
    }
    let digest = Sha256::digest(text.as_bytes());
    Some(format!("Auth:{:02x}{:02x};", digest[0], digest[1]))
}

/// Eight random letters and digits.
fn nonce() -> Result<String, HardwareError> {
    const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random = [0u8; NONCE_LEN];
    getrandom::fill(&mut random).map_err(|error| HardwareError::Stack(Box::new(error)))?;
    Ok(random
        .iter()
        .map(|&r| char::from(ALPHANUMERIC[usize::from(r) % ALPHANUMERIC.len()]))
        .collect())
}

fn send(text: &str) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, encrypt(text), false)
}

/// The next message from the device on rx, as the raw notification; `None` after
/// [`HANDSHAKE_WAIT`].
async fn next_reply(
    notifications: &mut broadcast::Receiver<Notification>,
) -> Result<Option<Vec<u8>>, HardwareError> {
    let wait = async {
        loop {
            match notifications.recv().await {
                Ok(n) if n.endpoint == Endpoint::Rx => return Ok(n.data),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    return Err(HardwareError::Disconnected);
                }
            }
        }
    };
    match tokio::time::timeout(HANDSHAKE_WAIT, wait).await {
        Ok(reply) => reply.map(Some),
        Err(_) => Ok(None),
    }
}

#[derive(Debug)]
struct Vibio;

impl Protocol for Vibio {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        Box::pin(async move {
            let mut notifications = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            hardware.write(send(&format!("Auth:{};", nonce()?))).await?;
            for _ in 0..=MAX_CHALLENGES {
                let data = next_reply(&mut notifications)
                    .await?
                    .ok_or(HardwareError::Timeout)?;
                let bad_reply = || HardwareError::BadReply {
                    endpoint: Endpoint::Rx,
                    data: data.clone(),
                };
                let reply = decrypt(&data).ok_or_else(bad_reply)?;
                if reply == "OK;" {
                    return Ok(None);
                }
                let answer = answer_to(&reply).ok_or_else(bad_reply)?;
                hardware.write(send(&answer)).await?;
            }
            Err(HardwareError::Timeout)
        })
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let (first, second) = (vibration(state, 0), vibration(state, 1));
        tx(encrypt(&format!("MtInt:{first:02}{second:02};")), false)
    }
}

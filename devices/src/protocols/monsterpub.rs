//! Sistalk MonsterPub (`monsterpub`), MonsterHub and Tracy's Dog: every output's speed
//! (0–100), in feature order, one byte each, in one packet.
//!
//! | device has | packet |
//! |---|---|
//! | txvibrate | the speeds, on txvibrate, without response |
//! | tx (and no txvibrate) | the speeds on tx without response; all stopped: on txmode, with response |
//! | neither (Tracy's Dog with three vibrators) | `03`, then the speeds, on generic0, without response |
//!
//! Identification reads the model name from `rxblemodel` (text, NULs dropped; a device that
//! does not answer is `Unknown`, the protocol's defaults). A device with an rx endpoint wants
//! to be unlocked first: it is read (`K` and 15 bytes), and those bytes are written back to
//! it, with response, each XORed with the matching byte of key `K` (`2IPO`, `LSBB`, `SIS6` or
//! `TALK`, repeated).

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, output_layout, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// The model name of a device that does not say.
const UNKNOWN_MODEL: &str = "Unknown";
/// How long the unlock challenge may take to read.
const UNLOCK_READ_TIMEOUT: Duration = Duration::from_millis(200);
/// The unlock keys, by the challenge's first byte.
const UNLOCK_KEYS: [&[u8; 15]; 4] = [
    b"2IPO2IPO2IPO2IP",
    b"LSBBLSBBLSBBLSB",
    b"SIS6SIS6SIS6SIS",
    b"TALKTALKTALKTAL",
];
/// What starts a packet on generic0.
const GENERIC_PREFIX: u8 = 0x03;

/// The protocol for any `monsterpub` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(MonsterPub::default()))
}

/// The answer to an unlock challenge; `None` when it is not one (too short, or naming no
/// key).
pub(super) fn unlock_answer(challenge: &[u8]) -> Option<Vec<u8>> {
    let key = UNLOCK_KEYS.get(usize::from(*challenge.first()?))?;
    let payload = challenge.get(1..=key.len())?;
    Some(payload.iter().zip(key.iter()).map(|(b, k)| b ^ k).collect())
}

#[derive(Debug)]
struct MonsterPub {
    /// Where the speeds go.
    endpoint: Endpoint,
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
}

impl Default for MonsterPub {
    fn default() -> Self {
        Self {
            endpoint: Endpoint::TxVibrate,
            layout: Vec::new(),
        }
    }
}

impl Protocol for MonsterPub {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let model = match hardware.read(Endpoint::RxBleModel, READ_TIMEOUT).await {
                Ok(data) => match String::from_utf8(data) {
                    Ok(text) => text.replace('\0', ""),
                    Err(error) => {
                        return Err(HardwareError::BadReply {
                            endpoint: Endpoint::RxBleModel,
                            data: error.into_bytes(),
                        });
                    }
                },
                Err(error) if error.is_disconnected() => return Err(error),
                Err(_) => UNKNOWN_MODEL.to_owned(),
            };
            if hardware.has_endpoint(Endpoint::Rx) {
                let challenge = hardware.read(Endpoint::Rx, UNLOCK_READ_TIMEOUT).await?;
                let answer = unlock_answer(&challenge).ok_or_else(|| HardwareError::BadReply {
                    endpoint: Endpoint::Rx,
                    data: challenge.clone(),
                })?;
                hardware
                    .write(HardwareWrite::new(Endpoint::Rx, answer, true))
                    .await?;
            }
            self.endpoint = [Endpoint::TxVibrate, Endpoint::Tx]
                .into_iter()
                .find(|e| hardware.has_endpoint(*e))
                .unwrap_or(Endpoint::Generic(0));
            Ok(Some(model))
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.layout = output_layout(&model.features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let speeds: Vec<u8> = self
            .layout
            .iter()
            .map(|&(feature, output_type)| byte(value_of(state, feature, output_type)))
            .collect();
        let stopped = speeds.iter().all(|&s| s == 0);
        let write = match self.endpoint {
            Endpoint::Tx if stopped => HardwareWrite::new(Endpoint::TxMode, speeds, true),
            Endpoint::Generic(_) => {
                let mut packet = vec![GENERIC_PREFIX];
                packet.extend_from_slice(&speeds);
                HardwareWrite::new(self.endpoint, packet, false)
            }
            endpoint => HardwareWrite::new(endpoint, speeds, false),
        };
        vec![write]
    }
}

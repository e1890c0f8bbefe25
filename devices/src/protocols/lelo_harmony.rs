//! Lelo Harmony (`lelo-harmony`): one packet per output on tx, without response,
//! `0a 12 MOTOR 08 00 00 00 00 SPEED 00`, `MOTOR` being the feature index counted from 1; a
//! vibrator and a rotator take the same packet.
//!
//! The device answers nothing until the connection is authorised, on the `whitelist`
//! endpoint: once subscribed, it notifies its security status. All zeros: not authorised, and
//! the user must tap the power button, upon which it notifies a password. The password is
//! written back to the same endpoint, with response, while unsubscribed (the device refuses it
//! otherwise), and the endpoint subscribed again. `01 00 …`: authorised. Lelo F1s V2 pairs the
//! same way.

use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};
use tracing::info;

use super::packet::{byte, motor_number, per_output};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};
use crate::protocol::reads::next_picked;

/// How long pairing may take in all, the user's tap on the power button included.
const PAIRING_WAIT: Duration = Duration::from_secs(30);
/// Passwords written back before giving up: a device that keeps sending new ones is not
/// pairing.
const PASSWORD_ROUNDS: usize = 3;

/// The protocol for any `lelo-harmony` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LeloHarmony))
}

/// The packet setting the motor on `feature` to `speed`.
pub(super) fn motor_packet(feature: u32, speed: u8) -> Vec<u8> {
    vec![
        0x0a,
        0x12,
        motor_number(feature),
        0x08,
        0x00,
        0x00,
        0x00,
        0x00,
        speed,
        0x00,
    ]
}

/// One motor packet per changed vibrator or rotator.
pub(super) fn motor_writes(changed: &[(u32, OutputCommand)]) -> Vec<HardwareWrite> {
    per_output(changed, false, |feature, command| {
        matches!(
            command.output_type(),
            OutputType::Vibrate | OutputType::Rotate
        )
        .then(|| motor_packet(feature, byte(command.value().saturating_abs())))
    })
}

/// What a security notification says.
#[derive(Debug, PartialEq, Eq)]
enum Security {
    /// All zeros: waiting for the power button.
    Unauthorised,
    /// `01` then zeros.
    Authorised,
    /// Anything else: the password to write back.
    Password,
}

fn security(status: &[u8]) -> Security {
    match status.split_first() {
        _ if status.iter().all(|b| *b == 0) => Security::Unauthorised,
        Some((1, rest)) if rest.iter().all(|b| *b == 0) => Security::Authorised,
        _ => Security::Password,
    }
}

/// Pairs with a Lelo device through its security endpoint (see the module doc), within
/// [`PAIRING_WAIT`]. Fails with `NoEndpoint` when the device has no such endpoint.
pub(super) async fn authorise(
    hardware: &dyn Hardware,
    endpoint: Endpoint,
) -> Result<(), HardwareError> {
    // Listening before subscribing: the status comes as soon as the subscription is made.
    let mut notifications = hardware.notifications();
    hardware.subscribe(endpoint).await?;
    let pairing = async {
        let mut passwords = 0;
        loop {
            let status = next_picked(&mut notifications, |n| {
                (n.endpoint == endpoint).then_some(n.data)
            })
            .await?;
            match security(&status) {
                Security::Unauthorised => {
                    info!(
                        device = hardware.name(),
                        "not authorised yet: tap the device's power button"
                    );
                }
                Security::Authorised => return Ok(()),
                Security::Password if passwords == PASSWORD_ROUNDS => {
                    return Err(HardwareError::BadReply {
                        endpoint,
                        data: status,
                    });
                }
                Security::Password => {
                    passwords += 1;
                    hardware.unsubscribe(endpoint).await?;
                    hardware
                        .write(HardwareWrite::new(endpoint, status, true))
                        .await?;
                    hardware.subscribe(endpoint).await?;
                }
            }
        }
    };
    tokio::time::timeout(PAIRING_WAIT, pairing)
        .await
        .unwrap_or(Err(HardwareError::Timeout))
}

#[derive(Debug)]
struct LeloHarmony;

impl Protocol for LeloHarmony {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            authorise(hardware, Endpoint::Whitelist).await?;
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        motor_writes(changed)
    }
}

//! Lelo F1s V2 (`lelo-f1sv2`): pairs as Lelo Harmony does, on the `whitelist` endpoint, then
//! takes Lelo F1s's packet `01 FIRST SECOND` on tx, with response.
//!
//! Units without a `whitelist` endpoint are Harmony-style inside: they pair on `generic0`
//! and take Lelo Harmony's per-motor packets.

use plugwire_core::message::OutputCommand;

use super::lelo_f1s::pair_writes;
use super::lelo_harmony::{authorise, motor_writes};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};

/// The protocol for any `lelo-f1sv2` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(LeloF1sV2::default()))
}

#[derive(Debug, Default)]
struct LeloF1sV2 {
    /// The unit paired on `generic0` and takes Harmony packets.
    harmony: bool,
}

impl Protocol for LeloF1sV2 {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            match authorise(hardware, Endpoint::Whitelist).await {
                Err(HardwareError::NoEndpoint(Endpoint::Whitelist)) => {
                    self.harmony = true;
                    authorise(hardware, Endpoint::Generic(0)).await?;
                }
                paired => paired?,
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if self.harmony {
            motor_writes(changed)
        } else {
            pair_writes(changed, state, true)
        }
    }
}

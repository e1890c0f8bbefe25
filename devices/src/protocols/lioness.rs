//! Lioness (`lioness`): vibrate 0–100 as `02 aa bb cc cc SPEED` on tx, without response. Once
//! connected, rx is subscribed and `01 aa aa bb cc 10` written to tx with response; that write
//! fails when the device is not paired with the system (its PIN is 6496, or 006496).

use plugwire_core::message::OutputCommand;
use tracing::warn;

use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};

/// The protocol for any `lioness` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Lioness))
}

#[derive(Debug)]
struct Lioness;

impl Protocol for Lioness {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            hardware.subscribe(Endpoint::Rx).await?;
            let hello =
                HardwareWrite::new(Endpoint::Tx, [0x01, 0xaa, 0xaa, 0xbb, 0xcc, 0x10], true);
            if let Err(error) = hardware.write(hello).await {
                warn!(%error, "a Lioness refused its first write: pair it with the system first (PIN 6496 or 006496)");
                return Err(error);
            }
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0x02, 0xaa, 0xbb, 0xcc, 0xcc, vibration(state, 0)], false)
    }
}

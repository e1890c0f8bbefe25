//! The Cowgirl Cone (`cowgirl-cone`): vibrate 0–128 as `f1 01 SPEED 00` on tx, without
//! response. Once connected it is woken with `aa 56 00 00` (without response) and takes no
//! command for the next three seconds.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::packet::{tx, vibration};
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol};

/// How long the device takes to wake up.
const WAKE_UP: Duration = Duration::from_secs(3);

/// The protocol for any `cowgirl-cone` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(CowgirlCone))
}

#[derive(Debug)]
struct CowgirlCone;

impl Protocol for CowgirlCone {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let wake = HardwareWrite::new(Endpoint::Tx, [0xaa, 0x56, 0x00, 0x00], false);
            hardware.write(wake).await?;
            // Listed (and so commanded) only once it listens.
            tokio::time::sleep(WAKE_UP).await;
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx([0xf1, 0x01, vibration(state, 0), 0x00], false)
    }
}

//! Svakom Sam (`svakom-sam`): one packet per output on tx, without response. Suction (0–1)
//! is `12 06 01 LEVEL`. The vibrator (0–10) is `12 01 03 00 ON SPEED` on current units, `ON`
//! being 4 while it runs; the first units, which lack the `txmode` and `firmware`
//! endpoints, take `12 01 03 00 05 SPEED`.
//!
//! rx is subscribed at connection. Whether the endpoints exist is found by reading them:
//! only a device without the endpoint refuses a read as `NoEndpoint`.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{byte, per_output};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// The protocol for any `svakom-sam` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(SvakomSam { first_units: false }))
}

/// Whether the device has `endpoint`. Any other answer to a read than `NoEndpoint` (data,
/// a refusal, no answer in time) comes from an endpoint that is there.
async fn has_endpoint(hardware: &dyn Hardware, endpoint: Endpoint) -> bool {
    !matches!(
        hardware.read(endpoint, READ_TIMEOUT).await,
        Err(HardwareError::NoEndpoint(_))
    )
}

#[derive(Debug)]
struct SvakomSam {
    /// A first unit, whose vibrator packet always says mode 5.
    first_units: bool,
}

impl Protocol for SvakomSam {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            hardware.subscribe(Endpoint::Rx).await?;
            self.first_units = !has_endpoint(hardware, Endpoint::Firmware).await
                && !has_endpoint(hardware, Endpoint::TxMode).await;
            Ok(None)
        })
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |_, command| {
            let value = byte(command.value());
            match command.output_type() {
                OutputType::Vibrate => {
                    let mode = match (self.first_units, value) {
                        (true, _) => 0x05,
                        (false, 0) => 0x00,
                        (false, _) => 0x04,
                    };
                    Some(vec![0x12, 0x01, 0x03, 0x00, mode, value])
                }
                OutputType::Constrict => Some(vec![0x12, 0x06, 0x01, value]),
                _ => None,
            }
        })
    }
}

//! A forwarded device: the driver its task owns sends output changes to the forwarder and
//! reads inputs from it, through the forwarder's [`Device`] handle. Features keep the
//! forwarder's indexes, so commands pass through unchanged.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand};
use plugwire_devices::hardware::HardwareError;
use plugwire_devices::protocol::OutputState;
use plugwire_devices::task::{DeviceDriver, DeviceTask};
use plugwire_devices::{DeviceManager, Listing};

use crate::client::{ClientError, Device};

/// Longest a forwarder may take to answer; one that does not is dropped.
pub(super) const FORWARDER_TIMEOUT: Duration = Duration::from_secs(5);

/// Drives one forwarded device.
struct ForwardedDriver {
    device: Device,
}

/// What a failed request to the forwarder means for the device.
fn hardware_error(device: &Device, error: ClientError) -> HardwareError {
    if device.client().is_connected() {
        HardwareError::Stack(Box::new(error))
    } else {
        HardwareError::Disconnected
    }
}

impl DeviceDriver for ForwardedDriver {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        _state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        Box::pin(async move {
            for (feature, command) in changed {
                match tokio::time::timeout(
                    FORWARDER_TIMEOUT,
                    self.device.output(*feature, *command),
                )
                .await
                {
                    Ok(result) => result.map_err(|e| hardware_error(&self.device, e))?,
                    Err(_) => {
                        // A forwarder that stops answering is dropped: its devices go away
                        // rather than hang with commands nobody carries out.
                        let client = self.device.client().clone();
                        tokio::spawn(async move { client.disconnect().await });
                        return Err(HardwareError::Disconnected);
                    }
                }
            }
            Ok(())
        })
    }

    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        let device = self.device.clone();
        Box::pin(async move {
            match tokio::time::timeout(
                FORWARDER_TIMEOUT,
                device.read_feature(feature_index, input_type),
            )
            .await
            {
                Ok(result) => result.map_err(|e| hardware_error(&device, e)),
                Err(_) => Err(HardwareError::Timeout),
            }
        })
    }
}

/// Adds a forwarder's device to `manager`, driven by its own task. Returns the local index.
pub(super) fn add_forwarded_device(manager: &DeviceManager, device: Device) -> u32 {
    let info = device.info();
    let listing = Listing {
        name: info.device_name.clone(),
        display_name: info.device_display_name.clone(),
        message_gap_ms: info.device_message_timing_gap,
        features: info.device_features.values().cloned().collect(),
        index: None,
    };
    let gap = Duration::from_millis(u64::from(listing.message_gap_ms));
    let task = DeviceTask::start(ForwardedDriver { device }, gap);
    manager.add_device(listing, Arc::new(task))
}

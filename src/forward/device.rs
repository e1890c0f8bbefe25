//! A forwarded device: the driver its task owns sends output changes to the forwarder and
//! reads inputs from it, through the forwarder's [`Device`] handle.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand};
use plugwire_devices::DeviceManager;
use plugwire_devices::hardware::HardwareError;
use plugwire_devices::scheduler::{DeviceDriver, OutputState, Scheduler};

use crate::client::{ClientError, Device};

/// Longest a forwarder may take to answer; one that does not is dropped.
pub(super) const FORWARDER_TIMEOUT: Duration = Duration::from_secs(5);

/// Drives one forwarded device.
struct ForwardedDriver {
    device: Device,
    /// The forwarder's own feature index for each local one (local features are renumbered
    /// 0..n in the forwarder's order; the forwarder's keys are its own business).
    remote_features: Arc<[u32]>,
}

/// The forwarder's feature index for local feature `local`.
fn remote_feature(remote: &[u32], local: u32) -> Option<u32> {
    usize::try_from(local)
        .ok()
        .and_then(|i| remote.get(i))
        .copied()
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
                // Features were checked against this device's own list, renumbered from it.
                let Some(remote) = remote_feature(&self.remote_features, *feature) else {
                    continue;
                };
                match tokio::time::timeout(FORWARDER_TIMEOUT, self.device.output(remote, *command))
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
        let remote = remote_feature(&self.remote_features, feature_index);
        Box::pin(async move {
            let remote = remote.ok_or(HardwareError::NotReadable(input_type))?;
            match tokio::time::timeout(FORWARDER_TIMEOUT, device.read_feature(remote, input_type))
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
    let gap = info.device_message_timing_gap;
    let name = info.device_name.clone();
    let features = info.device_features.values().cloned().collect();
    let remote_features = info.device_features.keys().copied().collect();
    let driver = ForwardedDriver {
        device,
        remote_features,
    };
    let scheduler = Scheduler::start(driver, Duration::from_millis(u64::from(gap)));
    manager.add_device(&name, gap, features, Arc::new(scheduler))
}

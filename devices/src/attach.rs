//! Attaching connected hardware as a device: identify the model, look up its features,
//! initialise it, and hand it to its own task (protocol and scheduler) until it disconnects.

use std::sync::Arc;
use std::time::Duration;

use tracing::{info, warn};

use crate::DeviceManager;
use crate::config::DeviceConfig;
use crate::hardware::{Hardware, HardwareError};
use crate::protocol::{self, ProtocolDriver};
use crate::scheduler::Scheduler;

/// Why hardware could not become a device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttachError {
    /// No implementation of the configured protocol (or not for this model).
    #[error("no protocol implementation {0:?} for this device")]
    NoProtocol(String),
    /// The configuration has no model for it.
    #[error("the device configuration has no model {identifier:?} for protocol {protocol}")]
    NoModel {
        /// Protocol.
        protocol: String,
        /// What the device identified as.
        identifier: String,
    },
    /// Talking to the hardware failed.
    #[error("the device did not respond")]
    Hardware(#[from] HardwareError),
}

/// Identifies, configures and initialises `hardware` speaking `protocol_name`, adds it to
/// `manager`, and removes it again when it disconnects. Returns the device index.
pub async fn attach(
    manager: &Arc<DeviceManager>,
    config: &DeviceConfig,
    protocol_name: &str,
    hardware: Arc<dyn Hardware>,
) -> Result<u32, AttachError> {
    let mut implementation = protocol::by_name(protocol_name, hardware.name())
        .ok_or_else(|| AttachError::NoProtocol(protocol_name.to_owned()))?;
    let identifier = implementation
        .identify(&*hardware)
        .await?
        .unwrap_or_else(|| hardware.name().to_owned());
    let definition = config
        .definition(protocol_name, &identifier)
        .ok_or_else(|| AttachError::NoModel {
            protocol: protocol_name.to_owned(),
            identifier: identifier.clone(),
        })?;
    implementation.configure(&definition.features);
    for write in implementation.initialize() {
        hardware.write(write).await?;
    }
    let gap = Duration::from_millis(u64::from(definition.message_gap_ms));
    let scheduler = Scheduler::start(ProtocolDriver::new(implementation, hardware.clone()), gap);
    // The stack may say the link dropped, or the device's task may find out by writing.
    let task_gone = scheduler.gone();
    let index = manager.add_device(
        &definition.name,
        definition.message_gap_ms,
        definition.features,
        Arc::new(scheduler),
    );
    info!(index, name = %definition.name, protocol = protocol_name, model = %identifier, "device attached");
    let watching = Arc::downgrade(manager);
    tokio::spawn(async move {
        tokio::select! {
            () = hardware.disconnected() => {}
            () = task_gone => {}
        }
        if let Some(manager) = watching.upgrade() {
            warn!(index, "device disconnected");
            manager.remove_device(index);
        }
    });
    Ok(index)
}

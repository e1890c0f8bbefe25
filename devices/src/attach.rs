//! Attaching connected hardware as a device: identify the model, look up its features,
//! initialise it, and drive it through a protocol and a scheduler until it disconnects.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::InputType;
use tracing::{info, warn};

use super::config::DeviceConfig;
use super::hardware::{Hardware, HardwareError};
use super::protocol::{self, Protocol, ProtocolSink};
use super::scheduled::{InputReader, ScheduledDevice};
use super::scheduler::Scheduler;
use super::{DeviceError, DeviceManager};

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

/// Reads a protocol device's inputs through its protocol.
pub struct ProtocolInputs {
    protocol: Arc<tokio::sync::Mutex<Box<dyn Protocol>>>,
    hardware: Arc<dyn Hardware>,
}

impl InputReader for ProtocolInputs {
    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>> {
        Box::pin(async move {
            let protocol = self.protocol.lock().await;
            protocol
                .read_input(&*self.hardware, feature_index, input_type)
                .await
                .map_err(|e| match e {
                    HardwareError::Disconnected => DeviceError::Disconnected,
                    other => DeviceError::Hardware(other.to_string()),
                })
        })
    }
}

/// A device driven through a protocol: outputs go through its scheduler.
pub type ProtocolDevice = ScheduledDevice<ProtocolInputs>;

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
    let protocol = Arc::new(tokio::sync::Mutex::new(implementation));
    let gap = Duration::from_millis(u64::from(definition.message_gap_ms));
    let scheduler = Scheduler::start(ProtocolSink::new(protocol.clone(), hardware.clone()), gap);
    let device = ProtocolDevice::new(
        scheduler,
        ProtocolInputs {
            protocol,
            hardware: hardware.clone(),
        },
    );
    let index = manager.add_device(
        &definition.name,
        definition.message_gap_ms,
        definition.features,
        Arc::new(device),
    );
    info!(index, name = %definition.name, protocol = protocol_name, model = %identifier, "device attached");
    let watching = Arc::downgrade(manager);
    tokio::spawn(async move {
        hardware.disconnected().await;
        if let Some(manager) = watching.upgrade() {
            warn!(index, "device disconnected");
            manager.remove_device(index);
        }
    });
    Ok(index)
}

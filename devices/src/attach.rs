//! Attaching connected hardware as a device: identify the model, look up its features,
//! initialise it, and hand it to its own task (protocol and scheduler) until it disconnects.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tracing::{info, warn};

use crate::config::{ConfigError, DeviceConfig};
use crate::hardware::{Hardware, HardwareError};
use crate::protocols;
use crate::task::{DeviceTask, ProtocolDriver};
use crate::{DeviceManager, Listing};

/// Why hardware could not become a device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttachError {
    /// The protocol is known, but plugwire has no driver for it (or for this model).
    #[error("found {model} (protocol {protocol}): plugwire has no driver for it yet")]
    NoDriver {
        /// The protocol's name.
        protocol: String,
        /// The model, as far as the advertisement tells.
        model: String,
    },
    /// The user configuration denies this device (or allows only others).
    #[error("the user configuration does not allow the device at {0}")]
    NotAllowed(String),
    /// The user configuration for this device does not fit its model.
    #[error(transparent)]
    Config(#[from] ConfigError),
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

/// Whether a device advertising `name` at `address`, claimed by `protocol`, should be
/// connected at all: the user configuration allows it and plugwire has a driver for it. Asked
/// before connecting, so a device plugwire cannot drive is never connected to.
pub fn admit(
    config: &DeviceConfig,
    protocol_name: &str,
    name: &str,
    address: &str,
) -> Result<(), AttachError> {
    if !config.is_allowed(address) {
        return Err(AttachError::NotAllowed(address.to_owned()));
    }
    let model = config.definition(protocol_name, name);
    let variant = model.as_ref().and_then(|m| m.protocol_variant.as_deref());
    if protocols::drives(protocol_name, variant) {
        return Ok(());
    }
    Err(AttachError::NoDriver {
        protocol: protocol_name.to_owned(),
        model: model.map_or_else(|| name.to_owned(), |m| m.name),
    })
}

/// Identifies, configures and initialises `hardware` speaking `protocol_name` (or the
/// protocol its identification hands it to), adds it to `manager`, and removes it again when
/// it disconnects. Returns the device index.
pub async fn attach(
    manager: &Arc<DeviceManager>,
    config: &DeviceConfig,
    protocol_name: &str,
    hardware: Arc<dyn Hardware>,
) -> Result<u32, AttachError> {
    let no_driver = || AttachError::NoDriver {
        protocol: protocol_name.to_owned(),
        model: hardware.name().to_owned(),
    };
    let mut implementation =
        protocols::by_name(protocol_name, hardware.name()).ok_or_else(no_driver)?;
    let identifier = implementation
        .identify(&*hardware)
        .await?
        .unwrap_or_else(|| hardware.name().to_owned());
    // What identification found may belong to another protocol: that one takes over, from
    // the model lookup on (it is not asked to identify the device again).
    let protocol_name = match implementation.identified_protocol() {
        Some(other) if other != protocol_name => {
            implementation = protocols::by_name(other, hardware.name()).ok_or_else(|| {
                AttachError::NoDriver {
                    protocol: other.to_owned(),
                    model: identifier.clone(),
                }
            })?;
            other
        }
        _ => protocol_name,
    };
    let definition = config
        .definition_for(protocol_name, &identifier, hardware.address())?
        .ok_or_else(|| AttachError::NoModel {
            protocol: protocol_name.to_owned(),
            identifier: identifier.clone(),
        })?;
    if !protocols::drives(protocol_name, definition.protocol_variant.as_deref()) {
        return Err(AttachError::NoDriver {
            protocol: protocol_name.to_owned(),
            model: definition.name,
        });
    }
    implementation.configure(&definition);
    for write in implementation.initialize() {
        hardware.write(write).await?;
    }
    let message_gap_ms = definition
        .message_gap_ms
        .unwrap_or_else(|| protocols::message_gap_ms(protocol_name));
    let reports = implementation.input_reports(hardware.clone());
    let driver = ProtocolDriver::new(implementation, hardware.clone(), &definition);
    // Listening already (the driver took its receiver): nothing sent from here on is missed.
    if let Some(endpoint) = driver.answered_endpoint() {
        hardware.subscribe(endpoint).await?;
    }
    let task = DeviceTask::start(driver, Duration::from_millis(u64::from(message_gap_ms)));
    // The stack may say the link dropped, or the device's task may find out by writing.
    let task_gone = task.gone();
    let listing = Listing {
        name: definition.name.clone(),
        display_name: definition.display_name,
        message_gap_ms,
        features: definition.features,
        index: definition.index,
    };
    let index = manager.add_device(listing, Arc::new(task));
    info!(index, name = %definition.name, protocol = protocol_name, model = %identifier, "device attached");
    let reporting = reports.map(|mut reports| {
        let reporting_to = Arc::downgrade(manager);
        tokio::spawn(async move {
            while let Some((feature, reading)) = reports.next().await {
                let Some(manager) = reporting_to.upgrade() else {
                    break;
                };
                manager.report_input(index, feature, reading);
            }
        })
    });
    let watching = Arc::downgrade(manager);
    tokio::spawn(async move {
        tokio::select! {
            () = hardware.disconnected() => {}
            () = task_gone => {}
        }
        if let Some(reporting) = reporting {
            reporting.abort();
        }
        if let Some(manager) = watching.upgrade() {
            warn!(index, "device disconnected");
            manager.remove_device(index);
        }
    });
    Ok(index)
}

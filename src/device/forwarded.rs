//! Forwarded devices: a device forwarder — a process that owns some hardware and runs a
//! plugwire server — connects *to* this server over any plugwire transport, and its devices
//! join this server's device manager like any other hardware. Here, each forwarder is driven
//! through a plugwire [`Client`]: the roles are reversed, the transport is the usual one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::connector::{Connection, Connector};
use plugwire_core::link::FramedLink;
use plugwire_core::message::{DeviceInfo, InputType, OutputCommand, OutputType};
use plugwire_core::{ConnectorError, Listener, Serializer, Transport};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

use super::scheduler::{OutputSink, OutputState, Scheduler};
use super::{DeviceBackend, DeviceError, DeviceManager};
use crate::client::{Client, ClientEvent, Device};

/// A connector over one transport that is already connected (a forwarder that dialled in). It
/// connects once; a forwarder whose link drops dials again, as a new connection.
struct Accepted<T, S> {
    transport: Mutex<Option<T>>,
    serializer: Arc<S>,
}

impl<T: Transport, S: Serializer> Connector for Accepted<T, S> {
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>> {
        let transport = self
            .transport
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let serializer = self.serializer.clone();
        async move {
            let transport = transport.ok_or(ConnectorError::NotConnected)?;
            Ok(Connection::spawn(FramedLink::new(transport, serializer)))
        }
        .boxed()
    }

    fn describe(&self) -> String {
        "a device forwarder".to_owned()
    }
}

/// Sends a forwarded device's output changes to its forwarder.
struct ForwardedSink {
    device: Device,
}

impl OutputSink for ForwardedSink {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        _state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            for (feature, command) in changed {
                self.device
                    .output(*feature, *command)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    }
}

/// One device of a forwarder, as this server's device manager sees it.
struct ForwardedDevice {
    scheduler: Scheduler,
    device: Device,
}

impl DeviceBackend for ForwardedDevice {
    fn set_output(&self, feature_index: u32, command: OutputCommand) -> Result<(), DeviceError> {
        self.scheduler.set(feature_index, command);
        Ok(())
    }

    fn stop_output(&self, feature_index: u32, output_type: OutputType) -> Result<(), DeviceError> {
        if !matches!(
            output_type,
            OutputType::Position | OutputType::HwPositionWithDuration
        ) {
            self.scheduler
                .set(feature_index, OutputCommand::new(output_type, 0));
        }
        Ok(())
    }

    fn read_input(
        &self,
        _feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>> {
        Box::pin(async move {
            self.device
                .read(input_type)
                .await
                .map_err(|e| DeviceError::Hardware(e.to_string()))
        })
    }
}

fn add(manager: &DeviceManager, device: Device) -> u32 {
    let info: &DeviceInfo = device.info();
    let gap = info.device_message_timing_gap;
    let name = info.device_name.clone();
    let features = info.device_features.values().cloned().collect();
    let scheduler = Scheduler::start(
        ForwardedSink {
            device: device.clone(),
        },
        Duration::from_millis(u64::from(gap)),
    );
    manager.add_device(
        &name,
        gap,
        features,
        Arc::new(ForwardedDevice { scheduler, device }),
    )
}

/// Serves one forwarder on `transport` until it leaves: its devices are added, follow its
/// changes, and are removed (their outputs stopped) when it goes.
pub async fn serve_forwarder<T: Transport, S: Serializer>(
    manager: Arc<DeviceManager>,
    transport: T,
    serializer: S,
) {
    let connector = Accepted {
        transport: Mutex::new(Some(transport)),
        serializer: Arc::new(serializer),
    };
    let client = match Client::connect("plugwire device host", connector).await {
        Ok(client) => client,
        Err(error) => {
            warn!(%error, "a device forwarder failed its handshake");
            return;
        }
    };
    let mut events = client.events();
    let mut local: HashMap<u32, u32> = HashMap::new();
    for device in client.devices() {
        local.insert(device.index(), add(&manager, device));
    }
    info!(devices = local.len(), "device forwarder connected");
    loop {
        match events.recv().await {
            Ok(ClientEvent::DeviceAdded(info)) => {
                if let Ok(device) = client.device(info.device_index)
                    && !local.contains_key(&info.device_index)
                {
                    local.insert(info.device_index, add(&manager, device));
                }
            }
            Ok(ClientEvent::DeviceRemoved(info)) => {
                if let Some(index) = local.remove(&info.device_index) {
                    manager.remove_device(index);
                }
            }
            Ok(ClientEvent::Disconnected)
            | Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
        }
    }
    info!(
        devices = local.len(),
        "device forwarder left; removing its devices"
    );
    for index in local.into_values() {
        manager.remove_device(index);
    }
}

/// Accepts device forwarders on `listener` until `shutdown`, serving each with `serializer`.
pub async fn accept_forwarders<L: Listener, S: Serializer + Clone>(
    manager: Arc<DeviceManager>,
    listener: L,
    serializer: S,
    shutdown: CancellationToken,
) {
    info!(address = %listener.describe(), "listening for device forwarders");
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return,
        };
        let (pending, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(plugwire_core::TransportError::Closed) => return,
            Err(error) => {
                warn!(%error, "accepting a device forwarder failed");
                continue;
            }
        };
        let manager = manager.clone();
        let serializer = serializer.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(
            async move {
                let Ok(transport) = pending.await else { return };
                tokio::select! {
                    () = serve_forwarder(manager, transport, serializer) => {}
                    () = shutdown.cancelled() => {}
                }
            }
            .instrument(info_span!("forwarder", %peer)),
        );
    }
}

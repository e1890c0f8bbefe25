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
use plugwire_core::message::{DeviceInfo, InputType, OutputCommand};
use plugwire_core::{ConnectorError, Listener, Serializer, SerializerFactory, Transport};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

use plugwire_devices::scheduled::{InputReader, ScheduledDevice};
use plugwire_devices::scheduler::{OutputSink, OutputState, Scheduler};
use plugwire_devices::{DeviceError, DeviceManager};

use crate::client::{Client, ClientEvent, Device};

/// Longest a forwarder may take to answer; one that does not is dropped.
const FORWARDER_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Local feature index → the forwarder's own feature index (local features are renumbered
/// 0..n in the forwarder's order; the forwarder's keys are its own business).
fn remote_feature(remote: &[u32], local: u32) -> Result<u32, String> {
    usize::try_from(local)
        .ok()
        .and_then(|i| remote.get(i))
        .copied()
        .ok_or_else(|| format!("no feature {local}"))
}

/// Sends a forwarded device's output changes to its forwarder.
struct ForwardedSink {
    device: Device,
    remote_features: Vec<u32>,
}

impl OutputSink for ForwardedSink {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        _state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            for (feature, command) in changed {
                let remote = remote_feature(&self.remote_features, *feature)?;
                match tokio::time::timeout(FORWARDER_TIMEOUT, self.device.output(remote, *command))
                    .await
                {
                    Ok(result) => result.map_err(|e| e.to_string())?,
                    Err(_) => {
                        // A forwarder that stops answering is dropped: its devices go away
                        // rather than hang with commands nobody carries out.
                        let client = self.device.client().clone();
                        tokio::spawn(async move { client.disconnect().await });
                        return Err("the device forwarder did not answer".to_owned());
                    }
                }
            }
            Ok(())
        })
    }
}

/// Reads a forwarded device's inputs from its forwarder.
struct ForwardedInputs {
    device: Device,
    remote_features: Vec<u32>,
}

impl InputReader for ForwardedInputs {
    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>> {
        Box::pin(async move {
            let remote = remote_feature(&self.remote_features, feature_index)
                .map_err(DeviceError::Hardware)?;
            match tokio::time::timeout(
                FORWARDER_TIMEOUT,
                self.device.read_feature(remote, input_type),
            )
            .await
            {
                Ok(result) => result.map_err(|e| DeviceError::Hardware(e.to_string())),
                Err(_) => Err(DeviceError::Hardware(
                    "the device forwarder did not answer".into(),
                )),
            }
        })
    }
}

fn add(manager: &DeviceManager, device: Device) -> u32 {
    let info: &DeviceInfo = device.info();
    let gap = info.device_message_timing_gap;
    let name = info.device_name.clone();
    let features = info.device_features.values().cloned().collect();
    let remote_features: Vec<u32> = info.device_features.keys().copied().collect();
    let sink = ForwardedSink {
        device: device.clone(),
        remote_features: remote_features.clone(),
    };
    let scheduler = Scheduler::start(sink, Duration::from_millis(u64::from(gap)));
    let backend = ScheduledDevice::new(
        scheduler,
        ForwardedInputs {
            device,
            remote_features,
        },
    );
    manager.add_device(&name, gap, features, Arc::new(backend))
}

/// Brings the local copies of a forwarder's devices in line with what its client knows.
fn reconcile(manager: &DeviceManager, client: &Client, local: &mut HashMap<u32, u32>) {
    let remote: HashMap<u32, Device> = client
        .devices()
        .into_iter()
        .map(|d| (d.index(), d))
        .collect();
    local.retain(|remote_index, local_index| {
        let keep = remote.contains_key(remote_index);
        if !keep {
            manager.remove_device(*local_index);
        }
        keep
    });
    for (remote_index, device) in remote {
        local
            .entry(remote_index)
            .or_insert_with(|| add(manager, device));
    }
}

/// Serves one forwarder on `transport` until it leaves or `shutdown`: its devices are added,
/// follow its changes, and are removed (their outputs stopped) when it goes.
pub async fn serve_forwarder<T: Transport, S: Serializer>(
    manager: Arc<DeviceManager>,
    transport: T,
    serializer: S,
    shutdown: CancellationToken,
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
    // Whatever happened before we listened is in the client's device list.
    reconcile(&manager, &client, &mut local);
    info!(devices = local.len(), "device forwarder connected");
    while client.is_connected() {
        let event = tokio::select! {
            event = events.recv() => event,
            () = shutdown.cancelled() => break,
        };
        match event {
            Ok(ClientEvent::DeviceAdded(_) | ClientEvent::DeviceRemoved(_))
            | Err(RecvError::Lagged(_)) => {
                reconcile(&manager, &client, &mut local);
            }
            Ok(ClientEvent::Disconnected) | Err(RecvError::Closed) => break,
            Ok(_) => {}
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
pub async fn accept_forwarders<L: Listener, F: SerializerFactory>(
    manager: Arc<DeviceManager>,
    listener: L,
    serializers: F,
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
        let serializer = serializers.for_connection();
        let shutdown = shutdown.clone();
        tokio::spawn(
            async move {
                let Ok(Ok(transport)) = tokio::time::timeout(FORWARDER_TIMEOUT * 2, pending).await
                else {
                    warn!("a device forwarder did not finish connecting");
                    return;
                };
                serve_forwarder(manager, transport, serializer, shutdown).await;
            }
            .instrument(info_span!("forwarder", %peer)),
        );
    }
}

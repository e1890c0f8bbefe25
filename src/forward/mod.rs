//! Forwarded devices: a device forwarder — a process that owns some hardware and runs a
//! plugwire server — connects *to* this server over any plugwire transport, and its devices
//! join this server's device manager like any other hardware.
//!
//! [`Forwarders`] is a hardware manager built from clients: each forwarder that dials in is
//! driven through a plugwire [`Client`] (the roles are reversed, the transport is the usual
//! one), its devices are added and removed as it reports them, and a scan asked of this server
//! is passed on to every forwarder. This is the one module that uses both the client and the
//! devices.

mod device;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::connector::{Connection, Connector};
use plugwire_core::link::FramedLink;
use plugwire_core::sync::Mutex;
use plugwire_core::{
    ConnectorError, Listener, Serializer, SerializerFactory, Transport, TransportError,
};
use plugwire_devices::DeviceManager;
use plugwire_devices::hardware::{HardwareError, HardwareManager};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

use self::device::{FORWARDER_TIMEOUT, add_forwarded_device};
use crate::client::{Client, ClientEvent, Device};

/// A connector over one transport that is already connected (a forwarder that dialled in). It
/// connects once; a forwarder whose link drops dials again, as a new connection.
struct AlreadyConnected<T, S> {
    transport: Mutex<Option<T>>,
    serializer: Arc<S>,
}

impl<T: Transport, S: Serializer> Connector for AlreadyConnected<T, S> {
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>> {
        let transport = self.transport.lock().take();
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

/// The device forwarders connected to one device manager: the hardware manager for their
/// devices.
pub struct Forwarders {
    /// Weak: the manager holds the hub (as a hardware manager), not the other way round.
    manager: Weak<DeviceManager>,
    connected: Mutex<HashMap<u64, Client>>,
    next_id: AtomicU64,
}

impl Forwarders {
    /// A hub adding forwarded devices to `manager`, registered with it so that scans reach
    /// the forwarders.
    pub fn new(manager: Arc<DeviceManager>) -> Arc<Self> {
        let hub = Arc::new(Self {
            manager: Arc::downgrade(&manager),
            connected: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        });
        manager.add_hardware_manager(hub.clone());
        hub
    }

    /// Accepts forwarders on `listener` until `shutdown`, each speaking the serializer
    /// `serializers` makes for it.
    pub async fn accept<L: Listener, F: SerializerFactory>(
        self: Arc<Self>,
        listener: L,
        serializers: F,
        shutdown: CancellationToken,
    ) {
        info!(address = %plugwire_core::access::redacted(&listener.describe()), "listening for device forwarders");
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = shutdown.cancelled() => return,
            };
            let (pending, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(TransportError::Closed) => return,
                Err(error) => {
                    warn!(%error, "accepting a device forwarder failed");
                    continue;
                }
            };
            let hub = self.clone();
            let serializer = serializers.for_connection();
            let shutdown = shutdown.clone();
            tokio::spawn(
                async move {
                    let Ok(Ok(transport)) =
                        tokio::time::timeout(FORWARDER_TIMEOUT * 2, pending).await
                    else {
                        warn!("a device forwarder did not finish connecting");
                        return;
                    };
                    hub.serve(transport, serializer, shutdown).await;
                }
                .instrument(info_span!("forwarder", %peer)),
            );
        }
    }

    /// Serves one forwarder on `transport` until it leaves or `shutdown`: its devices are
    /// added, follow its changes, and are removed (their outputs stopped) when it goes.
    pub async fn serve<T: Transport, S: Serializer>(
        &self,
        transport: T,
        serializer: S,
        shutdown: CancellationToken,
    ) {
        let connector = AlreadyConnected {
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
        let Some(manager) = self.manager.upgrade() else {
            return;
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.connected.lock().insert(id, client.clone());
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
        self.connected.lock().remove(&id);
        info!(
            devices = local.len(),
            "device forwarder left; removing its devices"
        );
        for index in local.into_values() {
            manager.remove_device(index);
        }
    }

    fn clients(&self) -> Vec<Client> {
        self.connected.lock().values().cloned().collect()
    }
}

/// Passes a scan request on to every connected forwarder; one that fails is logged and the
/// others still hear it.
async fn tell_all(clients: Vec<Client>, starting: bool) {
    let requests = clients.iter().map(|client| async move {
        let asked = if starting {
            client.start_scanning().await
        } else {
            client.stop_scanning().await
        };
        if let Err(error) = asked {
            warn!(%error, starting, "a device forwarder refused a scan request");
        }
    });
    futures::future::join_all(requests).await;
}

impl HardwareManager for Forwarders {
    fn name(&self) -> &'static str {
        "device forwarders"
    }

    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(tell_all(self.clients(), true).map(Ok))
    }

    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(tell_all(self.clients(), false).map(Ok))
    }
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
            .or_insert_with(|| add_forwarded_device(manager, device));
    }
}

/// Accepts device forwarders on `listener` until `shutdown`; their devices join `manager`.
/// (A [`Forwarders`] hub made for the occasion; make one yourself to share it between
/// listeners.)
pub async fn accept_forwarders<L: Listener, F: SerializerFactory>(
    manager: Arc<DeviceManager>,
    listener: L,
    serializers: F,
    shutdown: CancellationToken,
) {
    Forwarders::new(manager)
        .accept(listener, serializers, shutdown)
        .await;
}

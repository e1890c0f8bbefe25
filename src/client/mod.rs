//! The client: connect through any connector, handshake (spec v4), list and drive devices,
//! follow events, ping when the server asks for it, and reconnect after the link drops.

mod device;
mod error;

use std::collections::BTreeMap;
use std::sync::Arc;

use plugwire_core::sync::Mutex;
use std::time::Duration;

use plugwire_core::connector::{ConnectionEvent, Connector, RequestSender};
use plugwire_core::message::{
    ClientMessage, DeviceInfo, IdOnly, InputReading, RequestServerInfo, ServerInfo, ServerMessage,
    StopCmd,
};
use plugwire_core::{ConnectorError, ErrorReply};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

pub use device::Device;
pub use error::ClientError;

/// Something the server told the client without being asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// A device connected.
    DeviceAdded(DeviceInfo),
    /// A device disconnected.
    DeviceRemoved(DeviceInfo),
    /// Scanning finished.
    ScanningFinished,
    /// A subscribed input reported.
    InputReading(InputReading),
    /// The server reported an error not tied to a request (a missed ping, for example).
    ServerError(ErrorReply),
    /// The connection is gone; call [`Client::reconnect`] to get it back.
    Disconnected,
}

/// Longest the client waits for the handshake reply and for the reply to `Disconnect`.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest the client waits for the server to answer its goodbye before closing anyway.
const GOODBYE_TIMEOUT: Duration = Duration::from_millis(500);

struct Live {
    requests: RequestSender,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct Inner {
    name: String,
    connector: Box<dyn Connector>,
    live: Mutex<Option<Live>>,
    devices: Mutex<BTreeMap<u32, DeviceInfo>>,
    server_info: Mutex<Option<ServerInfo>>,
    events: broadcast::Sender<ClientEvent>,
    /// Serialises connect/reconnect/disconnect.
    connecting: tokio::sync::Mutex<()>,
}

/// A Buttplug client (spec v4). Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// Connects through `connector` and runs the handshake as `name`.
    pub async fn connect(name: &str, connector: impl Connector) -> Result<Self, ClientError> {
        let (events, _) = broadcast::channel(256);
        let client = Self {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                connector: Box::new(connector),
                live: Mutex::new(None),
                devices: Mutex::new(BTreeMap::new()),
                server_info: Mutex::new(None),
                events,
                connecting: tokio::sync::Mutex::new(()),
            }),
        };
        client.reconnect().await?;
        Ok(client)
    }

    /// Opens a fresh connection and handshake (after the link dropped, or to start over).
    /// Device handles taken before stay usable if the server still has those devices.
    pub async fn reconnect(&self) -> Result<(), ClientError> {
        let _guard = self.inner.connecting.lock().await;
        let old = self.inner.live.lock().take();
        if let Some(old) = old {
            old.requests.close().await;
        }
        let connection = self.inner.connector.connect().await?;
        let requests = connection.requests.clone();
        let handshake = requests.request(ClientMessage::RequestServerInfo(RequestServerInfo {
            id: 0,
            client_name: self.inner.name.clone(),
            protocol_version_major: 4,
            protocol_version_minor: 0,
        }));
        let reply = match tokio::time::timeout(REPLY_TIMEOUT, handshake).await {
            Ok(reply) => reply?,
            Err(_) => {
                requests.close().await;
                return Err(ClientError::Timeout("the handshake"));
            }
        };
        let server_info = match reply {
            ServerMessage::ServerInfo(info) => info,
            ServerMessage::Error(error) => {
                requests.close().await;
                return Err(ErrorReply::new(error.error_code, error.error_message).into());
            }
            other => {
                requests.close().await;
                return Err(ClientError::UnexpectedReply(format!("{other:?}")));
            }
        };
        info!(server = %server_info.server_name, max_ping_ms = server_info.max_ping_time, "connected");
        let mut tasks = vec![tokio::spawn(pump_events(
            Arc::downgrade(&self.inner),
            connection.events,
        ))];
        if server_info.max_ping_time > 0 {
            // Ping at a third of the deadline, so one late ping does not cost the session.
            let period = Duration::from_millis(u64::from(server_info.max_ping_time) / 3)
                .max(Duration::from_millis(10));
            tasks.push(tokio::spawn(ping_loop(requests.clone(), period)));
        }
        *self.inner.server_info.lock() = Some(server_info);
        *self.inner.live.lock() = Some(Live {
            requests: requests.clone(),
            tasks,
        });
        self.refresh_devices().await?;
        Ok(())
    }

    fn requests(&self) -> Result<RequestSender, ClientError> {
        self.inner
            .live
            .lock()
            .as_ref()
            .map(|live| live.requests.clone())
            .ok_or(ClientError::NotConnected)
    }

    /// Sends a request and returns the reply; an `Error` reply becomes [`ClientError::Server`].
    pub async fn request(&self, message: ClientMessage) -> Result<ServerMessage, ClientError> {
        match self.requests()?.request(message).await? {
            ServerMessage::Error(error) => {
                Err(ErrorReply::new(error.error_code, error.error_message).into())
            }
            reply => Ok(reply),
        }
    }

    pub(crate) async fn expect_ok(&self, message: ClientMessage) -> Result<(), ClientError> {
        match self.request(message).await? {
            ServerMessage::Ok(_) => Ok(()),
            other => Err(ClientError::UnexpectedReply(format!("{other:?}"))),
        }
    }

    /// Whether the connection is up.
    pub fn is_connected(&self) -> bool {
        self.inner
            .live
            .lock()
            .as_ref()
            .is_some_and(|live| live.requests.is_connected())
    }

    /// What the server said of itself in the handshake.
    pub fn server_info(&self) -> Option<ServerInfo> {
        self.inner.server_info.lock().clone()
    }

    /// Events from the server; each receiver sees every event from its creation on.
    pub fn events(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// Asks the server to look for devices; they arrive as [`ClientEvent::DeviceAdded`].
    pub async fn start_scanning(&self) -> Result<(), ClientError> {
        self.expect_ok(ClientMessage::StartScanning(IdOnly { id: 0 }))
            .await
    }

    /// Asks the server to stop looking for devices.
    pub async fn stop_scanning(&self) -> Result<(), ClientError> {
        self.expect_ok(ClientMessage::StopScanning(IdOnly { id: 0 }))
            .await
    }

    /// Stops every output of every device.
    pub async fn stop_all(&self) -> Result<(), ClientError> {
        self.expect_ok(ClientMessage::StopCmd(StopCmd {
            id: 0,
            device_index: None,
            feature_index: None,
            inputs: true,
            outputs: true,
        }))
        .await
    }

    /// Sends a Ping (the client also pings by itself when the server sets a MaxPingTime).
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.expect_ok(ClientMessage::Ping(IdOnly { id: 0 })).await
    }

    /// Says goodbye (`Disconnect`) and closes the connection. The server stops what this
    /// client drove.
    pub async fn disconnect(&self) -> Result<(), ClientError> {
        let _guard = self.inner.connecting.lock().await;
        let live = self.inner.live.lock().take();
        let Some(live) = live else {
            return Err(ClientError::NotConnected);
        };
        let farewell = live
            .requests
            .request(ClientMessage::Disconnect(IdOnly { id: 0 }));
        // Servers that do not know the v4 Disconnect (Intiface, every spec v4 server before
        // it) never answer it: wait briefly, then leave anyway. Either way the server stops
        // what this client drove when the connection closes.
        let farewell = tokio::time::timeout(GOODBYE_TIMEOUT, farewell).await;
        live.requests.close().await;
        match farewell {
            Ok(Ok(_) | Err(ConnectorError::Disconnected(_))) | Err(_) => Ok(()),
            Ok(Err(error)) => Err(error.into()),
        }
    }
}

/// Replaces the device table, announcing what came and went.
fn update_devices(inner: &Inner, devices: BTreeMap<u32, DeviceInfo>) {
    let mut known = inner.devices.lock();
    for (index, info) in known.iter() {
        if !devices.contains_key(index) {
            let _ = inner.events.send(ClientEvent::DeviceRemoved(info.clone()));
        }
    }
    for (index, info) in &devices {
        if known.get(index) != Some(info) {
            let _ = inner.events.send(ClientEvent::DeviceAdded(info.clone()));
        }
    }
    *known = devices;
}

async fn pump_events(
    inner: std::sync::Weak<Inner>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<ConnectionEvent>,
) {
    while let Some(event) = events.recv().await {
        let Some(inner) = inner.upgrade() else { return };
        match event {
            ConnectionEvent::Message(ServerMessage::DeviceList(list)) => {
                update_devices(&inner, list.devices)
            }
            ConnectionEvent::Message(ServerMessage::ScanningFinished(_)) => {
                let _ = inner.events.send(ClientEvent::ScanningFinished);
            }
            ConnectionEvent::Message(ServerMessage::InputReading(reading)) => {
                let _ = inner.events.send(ClientEvent::InputReading(reading));
            }
            ConnectionEvent::Message(ServerMessage::Error(error)) => {
                warn!(code = ?error.error_code, message = %error.error_message, "server reported an error");
                let _ = inner.events.send(ClientEvent::ServerError(ErrorReply::new(
                    error.error_code,
                    error.error_message,
                )));
            }
            ConnectionEvent::Message(other) => debug!(?other, "unsolicited message ignored"),
            ConnectionEvent::Closed(reason) => {
                info!(?reason, "connection closed");
                let _ = inner.events.send(ClientEvent::Disconnected);
                return;
            }
        }
    }
}

async fn ping_loop(requests: RequestSender, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let ping = requests.request(ClientMessage::Ping(IdOnly { id: 0 }));
        match tokio::time::timeout(REPLY_TIMEOUT, ping).await {
            Ok(Ok(_)) => {}
            // A server that does not answer pings is gone for practical purposes: close, so
            // the client (and whoever watches its events) learns it is disconnected.
            Ok(Err(error)) => {
                debug!(%error, "ping failed; closing");
                requests.close().await;
                return;
            }
            Err(_) => {
                warn!("the server did not answer a ping; closing");
                requests.close().await;
                return;
            }
        }
    }
}

//! The listening side: accepts connections and hands each to its own task, with its place
//! among those waiting to identify; as a [`HardwareManager`] it has nothing to scan for
//! (devices dial in when they like).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, warn};

use plugwire_devices::DeviceManager;
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::hardware::{HardwareError, HardwareManager};

use crate::connection::{self, ServerState};
use crate::{DeviceWebSocketError, DeviceWebSocketOptions};
use plugwire_core::log_limit::LogLimit;
use plugwire_core::room::{Room, RoomLimits};

/// First pause after a failed accept (out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// Longest pause: each failure in a row doubles it up to this.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
/// Failed accepts are logged once per this long, with the count of those unsaid.
const ACCEPT_LOG_WINDOW: Duration = Duration::from_secs(10);

/// The device WebSocket server: devices dial in, identify themselves, and are attached with
/// the protocol their configuration's `websocket` entry names.
pub struct DeviceWebSocketServer {
    local_addr: SocketAddr,
    /// Connections waiting to identify.
    unidentified: Arc<Room>,
    /// The accept loop.
    accepting: JoinHandle<()>,
}

impl DeviceWebSocketServer {
    /// Listens on `options.address` (on the current tokio runtime) and attaches the devices
    /// that dial in to `devices`; give the result to [`DeviceManager::add_hardware_manager`].
    pub async fn bind(
        devices: &Arc<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: DeviceWebSocketOptions,
    ) -> Result<Arc<Self>, DeviceWebSocketError> {
        let address = options.address;
        let bind_error = |source| DeviceWebSocketError::Bind { address, source };
        let listener = TcpListener::bind(address).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        let unidentified = Room::new(
            RoomLimits {
                overall: options.max_unidentified,
                per_source: options.max_unidentified_per_source,
            },
            "device WebSocket connections waiting to identify",
        );
        let inner = Arc::new(ServerState::new(Arc::downgrade(devices), config, options));
        let accepting = tokio::spawn(accept(listener, inner, unidentified.clone()));
        Ok(Arc::new(Self {
            local_addr,
            unidentified,
            accepting,
        }))
    }

    /// Where it listens (with the port it got, when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// How many connections are waiting to identify themselves now (at most
    /// [`DeviceWebSocketOptions::max_unidentified`]).
    pub fn unidentified(&self) -> usize {
        self.unidentified.len()
    }
}

impl Drop for DeviceWebSocketServer {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl HardwareManager for DeviceWebSocketServer {
    fn name(&self) -> &'static str {
        "device WebSocket server"
    }

    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        // Devices dial in whenever they like: there is nothing to look for.
        Box::pin(async { Ok(()) })
    }

    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Accepts connections for as long as the server lives. Each takes its place among those
/// waiting to identify (pushing out the oldest when that room is full) before its task starts.
/// A failed accept (out of file descriptors) pauses the loop, longer each time in a row, and
/// is logged at most once per [`ACCEPT_LOG_WINDOW`].
async fn accept(listener: TcpListener, inner: Arc<ServerState>, unidentified: Arc<Room>) {
    let failures = LogLimit::new(1, ACCEPT_LOG_WINDOW);
    let mut backoff = ACCEPT_BACKOFF_MIN;
    let mut failed_in_a_row = 0_u64;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if failed_in_a_row > 0 {
                    debug!(failed_in_a_row, "device WebSocket server: accepting again");
                    failed_in_a_row = 0;
                    backoff = ACCEPT_BACKOFF_MIN;
                }
                let _ = stream.set_nodelay(true);
                let pass = unidentified.enter(&peer.ip().to_canonical().to_string());
                tokio::spawn(connection::serve(stream, peer, pass, inner.clone()));
            }
            Err(error) => {
                failed_in_a_row += 1;
                if let Some(unsaid) = failures.admit(Instant::now()) {
                    warn!(
                        %error,
                        failed_in_a_row,
                        also_failed_since_last_said = unsaid,
                        retry_in_ms = backoff.as_millis() as u64,
                        "device WebSocket server: accepting failed; backing off"
                    );
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
}

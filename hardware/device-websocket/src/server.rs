//! The listening side: accepts connections and hands each to its own task; as a
//! [`HardwareManager`] it has nothing to scan for (devices dial in when they like).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tracing::warn;

use plugwire_devices::DeviceManager;
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::hardware::{HardwareError, HardwareManager};

use crate::connection::{self, ServerState};
use crate::{DeviceWebSocketError, DeviceWebSocketOptions};

/// Pause after a failed accept (out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The device WebSocket server: devices dial in, identify themselves, and are attached with
/// the protocol their configuration's `websocket` entry names.
pub struct DeviceWebSocketServer {
    local_addr: SocketAddr,
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
        let inner = Arc::new(ServerState {
            devices: Arc::downgrade(devices),
            config,
            options,
        });
        let accepting = tokio::spawn(accept(listener, inner));
        Ok(Arc::new(Self {
            local_addr,
            accepting,
        }))
    }

    /// Where it listens (with the port it got, when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
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

/// Accepts connections for as long as the server lives.
async fn accept(listener: TcpListener, inner: Arc<ServerState>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection::serve(stream, peer, inner.clone()));
            }
            Err(error) => {
                warn!(%error, "device WebSocket server: accepting failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

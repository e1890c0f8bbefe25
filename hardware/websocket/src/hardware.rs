//! A device connected over WebSocket as [`Hardware`]: writes to `tx` become binary frames, and
//! what the device sends arrives on `rx`.
//!
//! The connection's own task (see `connection.rs`) owns the socket; this handle only talks to
//! it through channels, so a slow or dead device never blocks a protocol.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use plugwire_devices::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};

use crate::Identification;

/// Frames waiting for the connection's task.
const WRITE_QUEUE: usize = 8;
/// Incoming frames kept for slow listeners.
const INCOMING: usize = 64;

/// One frame to send and where to say whether it reached the socket.
pub(crate) struct Outgoing {
    pub(crate) data: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<(), HardwareError>>,
}

/// What the handle and the connection's task share.
pub(crate) struct Shared {
    identification: Identification,
    /// True while the connection lives; false for good once it is gone.
    connected: watch::Sender<bool>,
    /// Whether a protocol subscribed to `rx`.
    subscribed: AtomicBool,
    /// Everything that arrives, for reads.
    incoming: broadcast::Sender<Vec<u8>>,
    /// What arrives while subscribed, as notifications.
    notify: broadcast::Sender<Notification>,
}

impl Shared {
    /// The device sent `data`.
    pub(crate) fn received(&self, data: Vec<u8>) {
        if self.subscribed.load(Ordering::Relaxed) {
            let _ = self.notify.send(Notification {
                endpoint: Endpoint::Rx,
                data: data.clone(),
            });
        }
        // Nobody reading is fine: bytes nobody asked for are dropped.
        let _ = self.incoming.send(data);
    }

    /// The connection is gone, for good.
    pub(crate) fn lost(&self) {
        self.connected.send_replace(false);
    }

    /// Completes when the connection is gone (or the handle dropped).
    pub(crate) async fn gone(&self) {
        let mut connected = self.connected.subscribe();
        let _ = connected.wait_for(|connected| !connected).await;
    }
}

/// A device connected over WebSocket.
pub(crate) struct WebSocketHardware {
    shared: Arc<Shared>,
    writes: mpsc::Sender<Outgoing>,
}

impl WebSocketHardware {
    /// A handle for an identified connection, the shared state its task keeps, and the
    /// queue of frames the task sends.
    pub(crate) fn new(
        identification: Identification,
    ) -> (Self, Arc<Shared>, mpsc::Receiver<Outgoing>) {
        let shared = Arc::new(Shared {
            identification,
            connected: watch::channel(true).0,
            subscribed: AtomicBool::new(false),
            incoming: broadcast::channel(INCOMING).0,
            notify: broadcast::channel(INCOMING).0,
        });
        let (writes, queue) = mpsc::channel(WRITE_QUEUE);
        let hardware = Self {
            shared: shared.clone(),
            writes,
        };
        (hardware, shared, queue)
    }

    fn check(&self, endpoint: Endpoint, wanted: Endpoint) -> Result<(), HardwareError> {
        if endpoint != wanted {
            return Err(HardwareError::NoEndpoint(endpoint));
        }
        if !*self.shared.connected.borrow() {
            return Err(HardwareError::Disconnected);
        }
        Ok(())
    }
}

impl Drop for WebSocketHardware {
    fn drop(&mut self) {
        // Nobody drives the device any more: its connection ends.
        self.shared.lost();
    }
}

impl Hardware for WebSocketHardware {
    fn name(&self) -> &str {
        &self.shared.identification.identifier
    }

    fn address(&self) -> &str {
        &self.shared.identification.address
    }

    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        matches!(endpoint, Endpoint::Tx | Endpoint::Rx)
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(write.endpoint, Endpoint::Tx)?;
            let (done, result) = oneshot::channel();
            let frame = Outgoing {
                data: write.data,
                done,
            };
            self.writes
                .send(frame)
                .await
                .map_err(|_| HardwareError::Disconnected)?;
            result.await.map_err(|_| HardwareError::Disconnected)?
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        let mut incoming = self.shared.incoming.subscribe();
        Box::pin(async move {
            self.check(endpoint, Endpoint::Rx)?;
            let next = async {
                loop {
                    match incoming.recv().await {
                        Ok(data) => return Ok(data),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            return Err(HardwareError::Disconnected);
                        }
                    }
                }
            };
            tokio::select! {
                read = tokio::time::timeout(timeout, next) => {
                    read.map_err(|_| HardwareError::Timeout)?
                }
                () = self.shared.gone() => Err(HardwareError::Disconnected),
            }
        })
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(endpoint, Endpoint::Rx)?;
            self.shared.subscribed.store(true, Ordering::Relaxed);
            Ok(())
        })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(endpoint, Endpoint::Rx)?;
            self.shared.subscribed.store(false, Ordering::Relaxed);
            Ok(())
        })
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.shared.notify.subscribe()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.shared.gone())
    }
}

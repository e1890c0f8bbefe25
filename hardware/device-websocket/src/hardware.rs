//! A device connected over WebSocket as [`Hardware`]: writes to `tx` become binary frames, and
//! what the device sends arrives on `rx`.
//!
//! The connection's own task (see `connection.rs`) owns the socket; this handle only talks to
//! it through channels, so a slow or dead device never blocks a protocol.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{broadcast, mpsc, oneshot};

use plugwire_devices::hardware::{
    ByteLink, Endpoint, Hardware, HardwareError, HardwareWrite, Notification,
};

use crate::Identification;

/// Frames waiting for the connection's task.
const WRITE_QUEUE: usize = 8;

/// One frame to send and where to say whether it reached the socket.
pub(crate) struct Outgoing {
    pub(crate) data: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<(), HardwareError>>,
}

/// A device connected over WebSocket.
pub(crate) struct WebSocketHardware {
    identification: Identification,
    /// What the connection's task passes on, and whether the connection lives (false for
    /// good once it is gone).
    link: Arc<ByteLink>,
    writes: mpsc::Sender<Outgoing>,
}

impl WebSocketHardware {
    /// A handle for an identified connection, the link state its task keeps, and the queue
    /// of frames the task sends.
    pub(crate) fn new(
        identification: Identification,
    ) -> (Self, Arc<ByteLink>, mpsc::Receiver<Outgoing>) {
        let link = Arc::new(ByteLink::new());
        let (writes, queue) = mpsc::channel(WRITE_QUEUE);
        let hardware = Self {
            identification,
            link: link.clone(),
            writes,
        };
        (hardware, link, queue)
    }
}

impl Drop for WebSocketHardware {
    fn drop(&mut self) {
        // Nobody drives the device any more: its connection ends.
        self.link.lost();
    }
}

impl Hardware for WebSocketHardware {
    fn name(&self) -> &str {
        &self.identification.identifier
    }

    fn address(&self) -> &str {
        &self.identification.address
    }

    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        matches!(endpoint, Endpoint::Tx | Endpoint::Rx)
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.link.check(write.endpoint, Endpoint::Tx)?;
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
        let read = self.link.read(endpoint, timeout);
        Box::pin(async move {
            // A read also ends when the connection does (the link outlives it, so the read
            // alone would wait out its timeout). The read goes first: its checks answer
            // before anything else.
            tokio::select! {
                biased;
                read = read => read,
                () = self.link.gone() => Err(HardwareError::Disconnected),
            }
        })
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move { self.link.set_subscribed(endpoint, true) })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move { self.link.set_subscribed(endpoint, false) })
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.link.notifications()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.link.gone())
    }
}

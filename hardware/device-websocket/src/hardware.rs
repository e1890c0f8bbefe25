//! A device connected over WebSocket as [`Hardware`]: a write to any endpoint its protocol's
//! configuration names (`tx`, and `txmode`, `firmware`, ... where the protocol has them)
//! becomes a binary frame of the bytes alone, as the reference's device WebSocket server sends
//! them; what the device sends arrives on `rx` (reads and notifications).
//!
//! The connection's own task (see `connection.rs`) owns the socket; this handle only talks to
//! it through channels, so a slow or dead device never blocks a protocol.

use std::collections::BTreeSet;
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
    /// The endpoints it offers: those its protocol's configuration names, with `tx` and `rx`.
    endpoints: BTreeSet<Endpoint>,
    /// What the connection's task passes on, and whether the connection lives (false for
    /// good once it is gone).
    link: Arc<ByteLink>,
    writes: mpsc::Sender<Outgoing>,
}

impl WebSocketHardware {
    /// A handle for an identified connection offering `endpoints` (see
    /// [`DeviceConfig::protocol_endpoints`](plugwire_devices::config::DeviceConfig::protocol_endpoints)),
    /// the link state its task keeps, and the queue of frames the task sends.
    pub(crate) fn new(
        identification: Identification,
        endpoints: BTreeSet<Endpoint>,
    ) -> (Self, Arc<ByteLink>, mpsc::Receiver<Outgoing>) {
        let link = Arc::new(ByteLink::new());
        let (writes, queue) = mpsc::channel(WRITE_QUEUE);
        let hardware = Self {
            identification,
            endpoints,
            link: link.clone(),
            writes,
        };
        (hardware, link, queue)
    }

    /// Fails unless the device offers `endpoint` and its connection still works. Every
    /// endpoint rides the one connection, whose state the link keeps under `tx`.
    fn check_write(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        if !self.endpoints.contains(&endpoint) {
            return Err(HardwareError::NoEndpoint(endpoint));
        }
        self.link.check(Endpoint::Tx, Endpoint::Tx)
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
        self.endpoints.contains(&endpoint)
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check_write(write.endpoint)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kiiroo_v2() -> (WebSocketHardware, Arc<ByteLink>, mpsc::Receiver<Outgoing>) {
        let identification = Identification {
            identifier: "Launch".to_owned(),
            address: "AA".to_owned(),
            version: 0,
        };
        let endpoints = BTreeSet::from([Endpoint::Tx, Endpoint::Rx, Endpoint::Firmware]);
        WebSocketHardware::new(identification, endpoints)
    }

    #[tokio::test]
    async fn every_offered_endpoint_is_written_as_the_bytes_alone() {
        let (hardware, _link, mut queue) = kiiroo_v2();
        assert!(hardware.has_endpoint(Endpoint::Firmware));
        assert!(hardware.has_endpoint(Endpoint::Tx) && hardware.has_endpoint(Endpoint::Rx));
        assert!(!hardware.has_endpoint(Endpoint::TxMode));
        let sent = tokio::spawn(async move {
            let mut frames = Vec::new();
            while let Some(Outgoing { data, done }) = queue.recv().await {
                frames.push(data);
                let _ = done.send(Ok(()));
            }
            frames
        });
        let firmware = HardwareWrite::new(Endpoint::Firmware, [0x00], true);
        assert!(hardware.write(firmware).await.is_ok());
        let stroke = HardwareWrite::new(Endpoint::Tx, [99, 40], false);
        assert!(hardware.write(stroke).await.is_ok());
        let missing = hardware
            .write(HardwareWrite::new(Endpoint::TxMode, [1], false))
            .await;
        assert!(matches!(
            missing,
            Err(HardwareError::NoEndpoint(Endpoint::TxMode))
        ));
        drop(hardware);
        assert_eq!(sent.await.ok(), Some(vec![vec![0x00], vec![99, 40]]));
    }

    #[tokio::test]
    async fn a_lost_connection_refuses_writes_to_any_endpoint() {
        let (hardware, link, _queue) = kiiroo_v2();
        link.lost();
        let write = hardware
            .write(HardwareWrite::new(Endpoint::Firmware, [0x00], true))
            .await;
        assert!(matches!(write, Err(HardwareError::Disconnected)));
    }
}

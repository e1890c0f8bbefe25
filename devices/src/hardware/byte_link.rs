//! The state of a byte link: hardware that is one stream of bytes each way (a serial port, a
//! device dialled in over WebSocket), written on `tx` and read or subscribed to on `rx`.
//!
//! Whatever drives the link (a reader thread, a socket task) passes on what arrives with
//! [`ByteLink::received`] and marks the link gone with [`ByteLink::lost`]; the [`Hardware`]
//! handle answers `read`, `subscribe`, `unsubscribe`, `notifications` and `disconnected` from
//! here and keeps only its own way of writing.
//!
//! [`Hardware`]: super::Hardware

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use super::{Endpoint, HardwareError, Notification};

/// What arrives, kept for slow readers and listeners (more and the slowest skip ahead).
const BACKLOG: usize = 64;

/// The state a byte link's [`Hardware`](super::Hardware) handle shares with whatever drives
/// the link: what arrives (for reads, and as notifications while subscribed) and whether the
/// link still works.
pub struct ByteLink {
    /// True while the link works; false for good once it is gone.
    connected: watch::Sender<bool>,
    /// Whether a protocol subscribed to `rx`.
    subscribed: AtomicBool,
    /// Everything that arrives, for reads.
    incoming: broadcast::Sender<Vec<u8>>,
    /// What arrives while subscribed, as notifications.
    notify: broadcast::Sender<Notification>,
}

impl Default for ByteLink {
    fn default() -> Self {
        Self::new()
    }
}

impl ByteLink {
    /// A working link nobody has subscribed to yet.
    pub fn new() -> Self {
        Self {
            connected: watch::channel(true).0,
            subscribed: AtomicBool::new(false),
            incoming: broadcast::channel(BACKLOG).0,
            notify: broadcast::channel(BACKLOG).0,
        }
    }

    /// The device sent `data`: it goes to every waiting read, and out as an `rx`
    /// notification while subscribed.
    pub fn received(&self, data: Vec<u8>) {
        if self.subscribed.load(Ordering::Relaxed) {
            let _ = self.notify.send(Notification {
                endpoint: Endpoint::Rx,
                data: data.clone(),
            });
        }
        // Nobody reading is fine: bytes nobody asked for are dropped.
        let _ = self.incoming.send(data);
    }

    /// The link is gone, for good. Returns whether it was working until now (so only the
    /// first to notice says so).
    pub fn lost(&self) -> bool {
        self.connected.send_replace(false)
    }

    /// Completes when the link is gone (at once if it already is).
    pub fn gone(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut connected = self.connected.subscribe();
        async move {
            let _ = connected.wait_for(|connected| !connected).await;
        }
    }

    /// Fails unless `endpoint` is `wanted` (a byte link has only `tx` and `rx`) and the link
    /// still works.
    pub fn check(&self, endpoint: Endpoint, wanted: Endpoint) -> Result<(), HardwareError> {
        if endpoint != wanted {
            return Err(HardwareError::NoEndpoint(endpoint));
        }
        if !*self.connected.borrow() {
            return Err(HardwareError::Disconnected);
        }
        Ok(())
    }

    /// [`Hardware::read`](super::Hardware::read): the next bytes to arrive on `rx` from the
    /// call on, within `timeout`.
    pub fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<u8>, HardwareError>> + Send + '_ {
        // Taken now, so bytes arriving before the future is first polled count.
        let mut incoming = self.incoming.subscribe();
        async move {
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
            tokio::time::timeout(timeout, next)
                .await
                .map_err(|_| HardwareError::Timeout)?
        }
    }

    /// [`Hardware::subscribe`](super::Hardware::subscribe) (`on`) and
    /// [`Hardware::unsubscribe`](super::Hardware::unsubscribe): whether what arrives on `rx`
    /// goes out as notifications.
    pub fn set_subscribed(&self, endpoint: Endpoint, on: bool) -> Result<(), HardwareError> {
        self.check(endpoint, Endpoint::Rx)?;
        self.subscribed.store(on, Ordering::Relaxed);
        Ok(())
    }

    /// [`Hardware::notifications`](super::Hardware::notifications): what arrives while
    /// subscribed, from now on.
    pub fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.notify.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reads_take_what_arrives_and_time_out_otherwise() {
        let link = ByteLink::new();
        let read = link.read(Endpoint::Rx, Duration::from_secs(1));
        link.received(vec![1, 2]);
        assert_eq!(read.await.ok(), Some(vec![1, 2]));
        let timed_out = link.read(Endpoint::Rx, Duration::from_secs(1)).await;
        assert!(matches!(timed_out, Err(HardwareError::Timeout)));
        let wrong = link.read(Endpoint::Tx, Duration::from_secs(1)).await;
        assert!(matches!(
            wrong,
            Err(HardwareError::NoEndpoint(Endpoint::Tx))
        ));
    }

    #[tokio::test]
    async fn notifications_flow_only_while_subscribed() {
        let link = ByteLink::new();
        let mut notifications = link.notifications();
        link.received(vec![1]);
        assert!(link.set_subscribed(Endpoint::Rx, true).is_ok());
        link.received(vec![2]);
        assert!(link.set_subscribed(Endpoint::Rx, false).is_ok());
        link.received(vec![3]);
        let first = notifications.try_recv().ok();
        assert_eq!(
            first.map(|n| (n.endpoint, n.data)),
            Some((Endpoint::Rx, vec![2]))
        );
        assert!(notifications.try_recv().is_err());
        assert!(matches!(
            link.set_subscribed(Endpoint::Tx, true),
            Err(HardwareError::NoEndpoint(Endpoint::Tx))
        ));
    }

    #[tokio::test]
    async fn a_lost_link_is_gone_once_and_refuses_everything() {
        let link = ByteLink::new();
        let gone = link.gone();
        assert!(link.check(Endpoint::Tx, Endpoint::Tx).is_ok());
        assert!(link.lost());
        assert!(!link.lost());
        gone.await;
        link.gone().await;
        assert!(matches!(
            link.check(Endpoint::Tx, Endpoint::Tx),
            Err(HardwareError::Disconnected)
        ));
        assert!(matches!(
            link.set_subscribed(Endpoint::Rx, true),
            Err(HardwareError::Disconnected)
        ));
    }
}

//! `RecordingHardware`: hardware that records every write, answers reads from a script, and
//! can fail or disconnect on demand: for protocol tests and for trying protocols without a
//! device.

use plugwire_core::sync::Mutex;
use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};

/// One recorded write and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedWrite {
    /// The write.
    pub write: HardwareWrite,
    /// When it reached the hardware.
    pub at: Instant,
}

#[derive(Default)]
struct Script {
    /// Replies sent on rx, in order, after a write to tx with these exact bytes.
    replies: BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
    /// What reads of an endpoint return.
    reads: BTreeMap<Endpoint, Vec<u8>>,
    subscribers: Vec<mpsc::UnboundedSender<Vec<u8>>>,
    failing: bool,
}

/// Hardware that records instead of moving.
pub struct RecordingHardware {
    name: String,
    writes: watch::Sender<Vec<RecordedWrite>>,
    script: Mutex<Script>,
    connected: watch::Sender<bool>,
}

impl RecordingHardware {
    /// A device advertising `name`.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            writes: watch::Sender::new(Vec::new()),
            script: Mutex::new(Script::default()),
            connected: watch::Sender::new(true),
        }
    }

    fn script(&self) -> plugwire_core::sync::MutexGuard<'_, Script> {
        self.script.lock()
    }

    /// After a write of `command` to tx, notify `reply` on rx.
    pub fn reply_to(&self, command: &[u8], reply: &[u8]) {
        self.script()
            .replies
            .entry(command.to_vec())
            .or_default()
            .push(reply.to_vec());
    }

    /// Reads of `endpoint` return `data`.
    pub fn answer_reads(&self, endpoint: Endpoint, data: &[u8]) {
        self.script().reads.insert(endpoint, data.to_vec());
    }

    /// Makes every write fail (or succeed again).
    pub fn fail_writes(&self, failing: bool) {
        self.script().failing = failing;
    }

    /// The device goes away.
    pub fn disconnect(&self) {
        self.connected.send_replace(false);
    }

    /// Every write so far.
    pub fn writes(&self) -> Vec<RecordedWrite> {
        self.writes.borrow().clone()
    }

    /// The bytes of every write so far, in order.
    pub fn written(&self) -> Vec<Vec<u8>> {
        self.writes
            .borrow()
            .iter()
            .map(|w| w.write.data.clone())
            .collect()
    }

    /// Waits until `condition` holds for the writes so far.
    pub async fn wait_for(
        &self,
        mut condition: impl FnMut(&[RecordedWrite]) -> bool,
    ) -> Vec<RecordedWrite> {
        let mut watcher = self.writes.subscribe();
        match watcher.wait_for(|writes| condition(writes)).await {
            Ok(writes) => writes.clone(),
            Err(_) => self.writes(),
        }
    }
}

impl Hardware for RecordingHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            if !*self.connected.borrow() {
                return Err(HardwareError::Disconnected);
            }
            {
                let mut script = self.script();
                if script.failing {
                    return Err(HardwareError::Stack(Box::new(std::io::Error::other(
                        "write refused (scripted failure)",
                    ))));
                }
                let reply = (write.endpoint == Endpoint::Tx)
                    .then(|| script.replies.get(&write.data).cloned())
                    .flatten();
                for reply in reply.into_iter().flatten() {
                    script.subscribers.retain(|s| s.send(reply.clone()).is_ok());
                }
            }
            self.writes.send_modify(|writes| {
                writes.push(RecordedWrite {
                    write,
                    at: Instant::now(),
                })
            });
            Ok(())
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        _timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        Box::pin(async move {
            self.script()
                .reads
                .get(&endpoint)
                .cloned()
                .ok_or(HardwareError::NoEndpoint(endpoint))
        })
    }

    fn subscribe(
        &self,
        _endpoint: Endpoint,
    ) -> BoxFuture<'_, Result<mpsc::UnboundedReceiver<Vec<u8>>, HardwareError>> {
        Box::pin(async move {
            let (sender, receiver) = mpsc::unbounded_channel();
            self.script().subscribers.push(sender);
            Ok(receiver)
        })
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        let mut watcher = self.connected.subscribe();
        Box::pin(async move {
            let _ = watcher.wait_for(|connected| !connected).await;
        })
    }
}

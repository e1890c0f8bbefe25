//! `RecordingHardware`: hardware that records every command it is given (writes, subscribes,
//! unsubscribes), delivers notifications to subscribed endpoints, answers reads from a script,
//! can take a set time over each write, and can fail or disconnect on demand: for protocol
//! tests, the device-test-case runner, benchmarks, and for trying protocols without a device.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::sync::{Mutex, MutexGuard};
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;

use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};

/// A command the hardware was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardwareCommand {
    /// Bytes written to an endpoint.
    Write(HardwareWrite),
    /// Notifications of an endpoint asked for.
    Subscribe(Endpoint),
    /// Notifications of an endpoint stopped.
    Unsubscribe(Endpoint),
}

/// One recorded command and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCommand {
    /// The command.
    pub command: HardwareCommand,
    /// When the hardware took it (for a write, once its write latency had passed).
    pub at: Instant,
}

/// One recorded write and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedWrite {
    /// The write.
    pub write: HardwareWrite,
    /// When the hardware took it, once its write latency had passed.
    pub at: Instant,
}

#[derive(Default)]
struct Script {
    /// Notifications on rx, in order, after a write to tx with these exact bytes.
    replies: BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
    /// What every read of an endpoint returns.
    reads: BTreeMap<Endpoint, Vec<u8>>,
    /// Answers for the next reads, oldest first, each for one read.
    queued_reads: VecDeque<(Endpoint, Vec<u8>)>,
    subscribed: BTreeSet<Endpoint>,
    failing: bool,
    /// Writes of these exact bytes that fail, each once.
    fail_once: Vec<Vec<u8>>,
    /// The endpoints it has, when not every one.
    endpoints: Option<BTreeSet<Endpoint>>,
    /// How long each write takes before it is recorded (and answered).
    write_latency: Duration,
}

impl Script {
    fn lacks(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        match &self.endpoints {
            Some(endpoints) if !endpoints.contains(&endpoint) => {
                Err(HardwareError::NoEndpoint(endpoint))
            }
            _ => Ok(()),
        }
    }
}

/// Hardware that records instead of moving.
pub struct RecordingHardware {
    name: String,
    address: String,
    commands: watch::Sender<Vec<RecordedCommand>>,
    script: Mutex<Script>,
    /// Woken when a read answer is queued.
    read_queued: Notify,
    notifications: broadcast::Sender<Notification>,
    connected: watch::Sender<bool>,
}

impl RecordingHardware {
    /// A device advertising `name`, at an address made from it.
    pub fn new(name: &str) -> Self {
        Self::at(name, &format!("recording:{name}"))
    }

    /// A device advertising `name` at `address`.
    pub fn at(name: &str, address: &str) -> Self {
        Self {
            name: name.to_owned(),
            address: address.to_owned(),
            commands: watch::Sender::new(Vec::new()),
            script: Mutex::new(Script::default()),
            read_queued: Notify::new(),
            notifications: broadcast::channel(256).0,
            connected: watch::Sender::new(true),
        }
    }

    fn script(&self) -> MutexGuard<'_, Script> {
        self.script.lock()
    }

    /// After a write of `command` to tx, notify `reply` on rx (if rx is subscribed).
    pub fn reply_to(&self, command: &[u8], reply: &[u8]) {
        self.script()
            .replies
            .entry(command.to_vec())
            .or_default()
            .push(reply.to_vec());
    }

    /// Every read of `endpoint` returns `data` (unless an answer is queued).
    pub fn answer_reads(&self, endpoint: Endpoint, data: &[u8]) {
        self.script().reads.insert(endpoint, data.to_vec());
    }

    /// The next read returns `data`; it must be a read of `endpoint`.
    pub fn queue_read(&self, endpoint: Endpoint, data: &[u8]) {
        self.script()
            .queued_reads
            .push_back((endpoint, data.to_vec()));
        self.read_queued.notify_waiters();
    }

    /// The device sends `data` on `endpoint`: delivered if the endpoint is subscribed, else
    /// lost, as a real device's would be. Returns whether it was delivered.
    pub fn notify(&self, endpoint: Endpoint, data: &[u8]) -> bool {
        if !self.script().subscribed.contains(&endpoint) {
            return false;
        }
        let _ = self.notifications.send(Notification {
            endpoint,
            data: data.to_vec(),
        });
        true
    }

    /// Gives the device only these endpoints (by default it has every one): the others are
    /// reported missing and fail with [`HardwareError::NoEndpoint`].
    pub fn only_endpoints(&self, endpoints: &[Endpoint]) {
        self.script().endpoints = Some(endpoints.iter().copied().collect());
    }

    /// Makes the next write of exactly `data` fail (a link that drops one packet).
    pub fn fail_once(&self, data: &[u8]) {
        self.script().fail_once.push(data.to_vec());
    }

    /// Makes every write fail (or succeed again).
    pub fn fail_writes(&self, failing: bool) {
        self.script().failing = failing;
    }

    /// Makes each write from now on take `latency` (a radio link's round trip) before it is
    /// recorded, answered or refused; zero, the default, takes none. Writes already under way
    /// keep the latency they started with.
    pub fn set_write_latency(&self, latency: Duration) {
        self.script().write_latency = latency;
    }

    /// The device goes away.
    pub fn disconnect(&self) {
        self.connected.send_replace(false);
    }

    /// Every command so far.
    pub fn commands(&self) -> Vec<RecordedCommand> {
        self.commands.borrow().clone()
    }

    /// Every write so far.
    pub fn writes(&self) -> Vec<RecordedWrite> {
        writes_of(&self.commands.borrow())
    }

    /// The bytes of every write so far, in order.
    pub fn written(&self) -> Vec<Vec<u8>> {
        self.writes().into_iter().map(|w| w.write.data).collect()
    }

    /// Waits until `condition` holds for the writes so far.
    pub async fn wait_for(
        &self,
        mut condition: impl FnMut(&[RecordedWrite]) -> bool,
    ) -> Vec<RecordedWrite> {
        let mut watcher = self.commands.subscribe();
        match watcher
            .wait_for(|commands| condition(&writes_of(commands)))
            .await
        {
            Ok(commands) => writes_of(&commands),
            Err(_) => self.writes(),
        }
    }

    /// Waits (at most `limit`) until more than `seen` commands have been given; returns the
    /// next one.
    pub async fn next_command(&self, seen: usize, limit: Duration) -> Option<RecordedCommand> {
        let mut watcher = self.commands.subscribe();
        let waited = tokio::time::timeout(limit, watcher.wait_for(|c| c.len() > seen)).await;
        match waited {
            Ok(Ok(commands)) => commands.get(seen).cloned(),
            _ => None,
        }
    }

    fn record(&self, command: HardwareCommand) {
        self.commands.send_modify(|commands| {
            commands.push(RecordedCommand {
                command,
                at: Instant::now(),
            });
        });
    }
}

fn writes_of(commands: &[RecordedCommand]) -> Vec<RecordedWrite> {
    commands
        .iter()
        .filter_map(|c| match &c.command {
            HardwareCommand::Write(write) => Some(RecordedWrite {
                write: write.clone(),
                at: c.at,
            }),
            _ => None,
        })
        .collect()
}

impl Hardware for RecordingHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        self.script().lacks(endpoint).is_ok()
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let latency = self.script().write_latency;
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            if !*self.connected.borrow() {
                return Err(HardwareError::Disconnected);
            }
            let replies = {
                let mut script = self.script();
                script.lacks(write.endpoint)?;
                let once = script.fail_once.iter().position(|data| *data == write.data);
                if let Some(at) = once {
                    script.fail_once.remove(at);
                }
                if script.failing || once.is_some() {
                    return Err(HardwareError::Stack(Box::new(std::io::Error::other(
                        "write refused (scripted failure)",
                    ))));
                }
                (write.endpoint == Endpoint::Tx)
                    .then(|| script.replies.get(&write.data).cloned())
                    .flatten()
                    .unwrap_or_default()
            };
            self.record(HardwareCommand::Write(write));
            for reply in replies {
                self.notify(Endpoint::Rx, &reply);
            }
            Ok(())
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        Box::pin(async move {
            self.script().lacks(endpoint)?;
            let deadline = Instant::now() + timeout;
            loop {
                // Registered before looking, so an answer queued in between is not missed.
                let queued = self.read_queued.notified();
                tokio::pin!(queued);
                queued.as_mut().enable();
                {
                    let mut script = self.script();
                    if let Some((answered, data)) = script.queued_reads.pop_front() {
                        if answered != endpoint {
                            return Err(HardwareError::BadReply { endpoint, data });
                        }
                        return Ok(data);
                    }
                    if let Some(data) = script.reads.get(&endpoint) {
                        return Ok(data.clone());
                    }
                }
                if tokio::time::timeout_at(deadline, queued).await.is_err() {
                    return Err(HardwareError::Timeout);
                }
            }
        })
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let mut script = self.script();
            script.lacks(endpoint)?;
            script.subscribed.insert(endpoint);
            drop(script);
            self.record(HardwareCommand::Subscribe(endpoint));
            Ok(())
        })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.script().subscribed.remove(&endpoint);
            self.record(HardwareCommand::Unsubscribe(endpoint));
            Ok(())
        })
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.notifications.subscribe()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        let mut watcher = self.connected.subscribe();
        Box::pin(async move {
            let _ = watcher.wait_for(|connected| !connected).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(data: &[u8]) -> HardwareWrite {
        HardwareWrite::new(Endpoint::Tx, data, true)
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_is_recorded_once_its_latency_has_passed() {
        let hardware = RecordingHardware::new("LVS-Z36");
        let started = Instant::now();
        hardware.write(tx(b"Vibrate:1;")).await.expect("written");
        assert_eq!(hardware.writes()[0].at, started, "no latency by default");

        let latency = Duration::from_millis(30);
        hardware.set_write_latency(latency);
        let started = Instant::now();
        let write = hardware.write(tx(b"Vibrate:2;"));
        tokio::pin!(write);
        // Under way but not yet taken: nothing recorded before the latency has passed.
        assert!(
            tokio::time::timeout(latency / 2, write.as_mut())
                .await
                .is_err()
        );
        assert_eq!(hardware.written().len(), 1);
        write.await.expect("written");
        let writes = hardware.writes();
        assert_eq!(writes[1].write.data, b"Vibrate:2;");
        assert_eq!(writes[1].at - started, latency);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_write_still_fails_and_answers_as_scripted() {
        let hardware = RecordingHardware::new("LVS-Z36");
        hardware.set_write_latency(Duration::from_millis(30));
        let mut notifications = hardware.notifications();
        hardware.subscribe(Endpoint::Rx).await.expect("subscribed");
        hardware.reply_to(b"DeviceType;", b"Z:11:0082059AD3BD;");
        hardware.fail_once(b"Vibrate:1;");

        let started = Instant::now();
        assert!(hardware.write(tx(b"Vibrate:1;")).await.is_err());
        assert_eq!(Instant::now() - started, Duration::from_millis(30));
        assert!(
            hardware.written().is_empty(),
            "a refused write is not recorded"
        );

        hardware.write(tx(b"DeviceType;")).await.expect("written");
        let reply = notifications.recv().await.expect("the answer");
        assert_eq!(reply.data, b"Z:11:0082059AD3BD;");
    }
}

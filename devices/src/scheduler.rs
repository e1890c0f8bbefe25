//! Per-device command scheduling: the newest value per output wins, writes are paced by the
//! device's message gap, a value equal to the last one sent is not sent again, and devices
//! that need it get a keep-alive. Under a flood of commands the device receives the latest
//! value within one gap, and nothing queues.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{OutputCommand, OutputType};
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::warn;

/// The current value of every output of a device, by feature and type.
pub type OutputState = BTreeMap<(u32, OutputType), OutputCommand>;

/// Where a device's output changes go: a protocol over hardware, or a forwarded device.
pub trait OutputSink: Send + 'static {
    /// Applies `changed` outputs; `state` holds every output's current value (changes included),
    /// for protocols that must write several outputs in one packet.
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// How often the device must hear from us even when nothing changes.
    fn keepalive(&self) -> Option<Duration> {
        None
    }

    /// Sends what keeps the device awake (by default, the current state again).
    fn send_keepalive<'a>(
        &'a mut self,
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), String>> {
        let all: Vec<_> = state
            .iter()
            .map(|((feature, _), command)| (*feature, *command))
            .collect();
        Box::pin(async move { self.apply(&all, state).await })
    }
}

#[derive(Default)]
struct Shared {
    /// Newest value per output not yet written.
    pending: BTreeMap<(u32, OutputType), OutputCommand>,
    closed: bool,
}

/// The handle commands go in through; the worker task writes them out.
pub struct Scheduler {
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// How many times a failed write is tried again before the value is given up on.
const RETRIES: u32 = 3;

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Scheduler {
    /// Starts the worker for a device with message gap `gap`, writing to `sink`.
    pub fn start<S: OutputSink>(sink: S, gap: Duration) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let wake = Arc::new(Notify::new());
        let worker = tokio::spawn(run(sink, gap, shared.clone(), wake.clone()));
        Self {
            shared,
            wake,
            worker: Mutex::new(Some(worker)),
        }
    }

    /// Sets an output's newest value; never blocks, never queues.
    pub fn set(&self, feature_index: u32, command: OutputCommand) {
        lock(&self.shared)
            .pending
            .insert((feature_index, command.output_type()), command);
        self.wake.notify_one();
    }

    /// Stops one output: 0 for everything but moves to a position, which end by themselves.
    pub fn stop(&self, feature_index: u32, output_type: OutputType) {
        if !matches!(
            output_type,
            OutputType::Position | OutputType::HwPositionWithDuration
        ) {
            self.set(feature_index, OutputCommand::new(output_type, 0));
        }
    }

    /// Stops the worker (after it writes what is pending).
    pub fn close(&self) {
        lock(&self.shared).closed = true;
        self.wake.notify_one();
    }

    /// Closes, then waits (at most `limit`) until what was pending has been written: used at
    /// shutdown so the stops reach the device before the process goes.
    pub async fn finish(&self, limit: Duration) {
        self.close();
        let worker = self.worker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(worker) = worker
            && tokio::time::timeout(limit, worker).await.is_err()
        {
            warn!("a device did not take its last writes in time");
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.close();
    }
}

async fn run<S: OutputSink>(
    mut sink: S,
    gap: Duration,
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
) {
    let mut sent = OutputState::new();
    let mut last_write: Option<Instant> = None;
    let mut failures = 0;
    loop {
        let keepalive_due = match (sink.keepalive(), last_write) {
            (Some(every), Some(last)) => Some(last + every),
            _ => None,
        };
        tokio::select! {
            () = wake.notified() => {}
            () = sleep_until_some(keepalive_due) => {
                if let Err(error) = sink.send_keepalive(&sent).await {
                    warn!(%error, "keep-alive write failed");
                }
                last_write = Some(Instant::now());
                continue;
            }
        }
        // Pace: no write sooner than one gap after the last; commands arriving meanwhile
        // replace each other in `pending`.
        if let Some(last) = last_write {
            tokio::time::sleep_until(last + gap).await;
        }
        let (pending, closed) = {
            let mut shared = lock(&shared);
            (std::mem::take(&mut shared.pending), shared.closed)
        };
        let changed: Vec<(u32, OutputCommand)> = pending
            .into_iter()
            .filter(|(key, command)| sent.get(key) != Some(command))
            .map(|((feature, _), command)| (feature, command))
            .collect();
        if !changed.is_empty() {
            let mut state = sent.clone();
            for (feature, command) in &changed {
                state.insert((*feature, command.output_type()), *command);
            }
            match sink.apply(&changed, &state).await {
                Ok(()) => {
                    sent = state;
                    failures = 0;
                }
                Err(error) if failures < RETRIES => {
                    failures += 1;
                    warn!(%error, attempt = failures, "device write failed; trying again");
                    // Put the values back unless newer ones arrived meanwhile, and go again
                    // after the gap: a stop that failed once must not be forgotten.
                    let mut shared = lock(&shared);
                    for (feature, command) in changed {
                        shared
                            .pending
                            .entry((feature, command.output_type()))
                            .or_insert(command);
                    }
                    drop(shared);
                    wake.notify_one();
                }
                Err(error) => {
                    failures = 0;
                    warn!(%error, "device write failed {RETRIES} more times; giving up on these values");
                }
            }
            last_write = Some(Instant::now());
        }
        if closed && lock(&shared).pending.is_empty() {
            return;
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    /// Records what it is asked to apply, and asks for a keep-alive every second.
    struct Recorder {
        applied: mpsc::UnboundedSender<(Instant, Vec<(u32, OutputCommand)>)>,
        keepalive: Option<Duration>,
    }

    impl OutputSink for Recorder {
        fn apply<'a>(
            &'a mut self,
            changed: &'a [(u32, OutputCommand)],
            _: &'a OutputState,
        ) -> BoxFuture<'a, Result<(), String>> {
            let _ = self.applied.send((Instant::now(), changed.to_vec()));
            Box::pin(async { Ok(()) })
        }

        fn keepalive(&self) -> Option<Duration> {
            self.keepalive
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_device_that_needs_it_gets_a_keepalive() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let every = Duration::from_secs(1);
        let scheduler = Scheduler::start(
            Recorder {
                applied,
                keepalive: Some(every),
            },
            Duration::from_millis(50),
        );
        scheduler.set(0, OutputCommand::new(OutputType::Vibrate, 7));
        let (first_at, first) = seen.recv().await.expect("the command");
        assert_eq!(first, vec![(0, OutputCommand::new(OutputType::Vibrate, 7))]);
        // Nothing changes; one keep-alive per second carries the current state again.
        for n in 1..=3 {
            let (at, again) = seen.recv().await.expect("a keep-alive");
            assert_eq!(again, first);
            assert_eq!(at - first_at, every * n);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn no_keepalive_when_not_needed() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let scheduler = Scheduler::start(
            Recorder {
                applied,
                keepalive: None,
            },
            Duration::from_millis(50),
        );
        scheduler.set(0, OutputCommand::new(OutputType::Vibrate, 7));
        seen.recv().await.expect("the command");
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(seen.try_recv().is_err());
    }
}

//! One task per device: it owns the device's [`DeviceDriver`] (a protocol over hardware, or a
//! forwarded device) and does everything that touches it — output writes, input reads,
//! keep-alives — so nothing else ever waits on a lock to reach the device.
//!
//! Outputs: the newest value per output wins, writes are paced by the device's message gap, a
//! value equal to the last one sent is not sent again, and devices that need it get a
//! keep-alive; the gap counts from when a write begins. Under a flood of commands the device
//! receives the latest value within one gap plus one write time,
//! and nothing queues. Reads run beside the writes: a slow battery read never holds a write
//! back. A device found disconnected is not retried: the task ends and [`DeviceTask::gone`]
//! tells whoever removes it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use plugwire_core::message::{InputType, OutputCommand, OutputType};
use plugwire_core::sync::Mutex;
use tokio::sync::{Notify, broadcast, mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::warn;

mod driver;
mod protocol_driver;

pub use self::driver::DeviceDriver;
pub use self::protocol_driver::ProtocolDriver;
use crate::backend::{Delivery, DeviceBackend, WriteResult};
use crate::hardware::{HardwareError, Notification};
use crate::protocol::OutputState;

/// Hears what became of a value handed to the task.
type Waiter = oneshot::Sender<WriteResult>;

/// An output's newest value not yet written, and everyone waiting to hear of it (those whose
/// older values it replaced too: their command's effect is now this one's).
struct Pending {
    command: OutputCommand,
    waiters: Vec<Waiter>,
}

#[derive(Default)]
struct Shared {
    pending: BTreeMap<(u32, OutputType), Pending>,
    /// Outputs without an "off" value (positions) that were stopped: motion toward them ends.
    halts: BTreeSet<(u32, OutputType)>,
    closed: bool,
}

/// Tells every waiter the same result.
fn answer(waiters: Vec<Waiter>, result: &WriteResult) {
    for waiter in waiters {
        // A waiter that gave up is no concern of the device's.
        let _ = waiter.send(result.clone());
    }
}

/// An input read handed to the device's task.
struct ReadRequest {
    feature_index: u32,
    input_type: InputType,
    reply: oneshot::Sender<Result<i32, HardwareError>>,
}

/// The handle to a device's task: commands go in here, the task writes them out.
pub struct DeviceTask {
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
    reads: mpsc::Sender<ReadRequest>,
    gone: CancellationToken,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// How many times a failed write is tried again before the value is given up on.
const RETRIES: u32 = 3;
/// Most reads waiting for one device at once; more are refused as busy.
const MAX_PENDING_READS: usize = 32;

impl DeviceTask {
    /// Starts the task for a device with message gap `gap`, driving `driver`.
    pub fn start<D: DeviceDriver>(driver: D, gap: Duration) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let wake = Arc::new(Notify::new());
        let (reads, read_requests) = mpsc::channel(MAX_PENDING_READS);
        let gone = CancellationToken::new();
        let task = Worker {
            driver,
            gap,
            shared: shared.clone(),
            wake: wake.clone(),
            gone: gone.clone(),
        };
        let worker = tokio::spawn(task.run(read_requests));
        Self {
            shared,
            wake,
            reads,
            gone,
            worker: Mutex::new(Some(worker)),
        }
    }

    /// Sets an output's newest value; never blocks, never queues. The [`Delivery`] says when
    /// it was written, or that it could not be.
    pub fn set(&self, feature_index: u32, command: OutputCommand) -> Delivery {
        let (waiter, answer) = oneshot::channel();
        {
            let mut shared = self.shared.lock();
            let key = (feature_index, command.output_type());
            // A newer value ends a halt still waiting: the output is driven again.
            shared.halts.remove(&key);
            let pending = shared.pending.entry(key).or_insert_with(|| Pending {
                command,
                waiters: Vec::new(),
            });
            pending.command = command;
            // Callers that stopped waiting are forgotten here, so a flood of commands nobody
            // waits on cannot grow the list while a write is stuck.
            pending.waiters.retain(|waiter| !waiter.is_closed());
            pending.waiters.push(waiter);
        }
        self.wake.notify_one();
        Delivery::waiting(answer)
    }

    /// Stops one output: its "off" value, or for outputs without one (positions), the end of
    /// any motion toward it that the protocol is still stepping.
    pub fn stop(&self, feature_index: u32, output_type: OutputType) {
        if let Some(stop) = output_type.stop_command() {
            self.set(feature_index, stop);
            return;
        }
        {
            let mut shared = self.shared.lock();
            let key = (feature_index, output_type);
            // A move not yet written never starts.
            if let Some(pending) = shared.pending.remove(&key) {
                answer(pending.waiters, &Ok(()));
            }
            shared.halts.insert(key);
        }
        self.wake.notify_one();
    }

    /// Reads an input through the device's task.
    pub async fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> Result<i32, HardwareError> {
        let (reply, answer) = oneshot::channel();
        let request = ReadRequest {
            feature_index,
            input_type,
            reply,
        };
        self.reads.try_send(request).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => HardwareError::Timeout,
            mpsc::error::TrySendError::Closed(_) => HardwareError::Disconnected,
        })?;
        // The task dropping the request means it ended: the device is gone.
        answer.await.unwrap_or(Err(HardwareError::Disconnected))
    }

    /// Completes when the device's task found the device disconnected and ended.
    pub fn gone(&self) -> impl Future<Output = ()> + Send + 'static {
        self.gone.clone().cancelled_owned()
    }

    /// Ends the task (after it writes what is pending).
    pub fn close(&self) {
        self.shared.lock().closed = true;
        self.wake.notify_one();
    }

    /// Closes, then waits (at most `limit`) until what was pending has been written: used at
    /// shutdown so the stops reach the device before the process goes.
    pub async fn finish(&self, limit: Duration) {
        self.close();
        let worker = self.worker.lock().take();
        if let Some(worker) = worker
            && tokio::time::timeout(limit, worker).await.is_err()
        {
            warn!("a device did not take its last writes in time");
        }
    }
}

impl Drop for DeviceTask {
    fn drop(&mut self) {
        self.close();
    }
}

impl DeviceBackend for DeviceTask {
    fn set_output(
        &self,
        feature_index: u32,
        command: OutputCommand,
    ) -> Result<Delivery, HardwareError> {
        Ok(self.set(feature_index, command))
    }

    fn stop_output(
        &self,
        feature_index: u32,
        output_type: OutputType,
    ) -> Result<(), HardwareError> {
        self.stop(feature_index, output_type);
        Ok(())
    }

    fn finish(&self, limit: Duration) -> BoxFuture<'_, ()> {
        Box::pin(DeviceTask::finish(self, limit))
    }

    fn read_input(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, HardwareError>> {
        Box::pin(self.read(feature_index, input_type))
    }
}

/// The task's own state.
struct Worker<D> {
    driver: D,
    gap: Duration,
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
    gone: CancellationToken,
}

/// What a round of writing left to do.
enum Written {
    /// Nothing more until the next command.
    Done,
    /// A write failed and its values are pending again: write again after the gap.
    Retry,
    /// The device is gone.
    Disconnected,
}

impl<D: DeviceDriver> Worker<D> {
    async fn run(mut self, mut read_requests: mpsc::Receiver<ReadRequest>) {
        let mut sent = OutputState::new();
        let started = Instant::now();
        let mut last_write: Option<Instant> = None;
        let mut failures = 0;
        // Whether `pending` may hold something to write.
        let mut dirty = false;
        let mut reads = FuturesUnordered::new();
        let mut notifications = self.driver.notifications();
        loop {
            // Pace: no write sooner than one gap after the last; commands arriving meanwhile
            // replace each other in `pending`.
            let write_due = dirty.then(|| last_write.map_or_else(Instant::now, |l| l + self.gap));
            // Counted from the task's start until the first write: a device that must hear
            // from us regularly needs it before its first command too.
            let keepalive_due = match self.driver.keepalive() {
                Some(every) if !dirty => Some(last_write.unwrap_or(started) + every),
                _ => None,
            };
            tokio::select! {
                () = self.wake.notified() => dirty = true,
                Some(request) = read_requests.recv() => {
                    let read = self.driver.read(request.feature_index, request.input_type);
                    reads.push(async move {
                        // A reader that gave up is no concern of the device's.
                        let _ = request.reply.send(read.await);
                    });
                }
                Some(()) = reads.next(), if !reads.is_empty() => {}
                notification = next_notification(notifications.as_mut()) => {
                    match self.driver.notified(notification).await {
                        Err(error) if error.is_disconnected() => break,
                        Err(error) => warn!(%error, "answering a notification failed"),
                        Ok(()) => {}
                    }
                }
                () = sleep_until_some(keepalive_due) => {
                    let started = Instant::now();
                    match self.driver.send_keepalive(&sent).await {
                        Err(error) if error.is_disconnected() => break,
                        Err(error) => warn!(%error, "keep-alive write failed"),
                        Ok(()) => {}
                    }
                    last_write = Some(started);
                }
                () = sleep_until_some(write_due) => {
                    let closed = self.shared.lock().closed;
                    match self.write_pending(&mut sent, &mut failures, &mut last_write).await {
                        Written::Done => dirty = false,
                        Written::Retry => {}
                        Written::Disconnected => break,
                    }
                    let idle = {
                        let shared = self.shared.lock();
                        shared.pending.is_empty() && shared.halts.is_empty()
                    };
                    if closed && !dirty && idle {
                        return;
                    }
                }
            }
        }
        warn!("device disconnected; its task ends");
        self.gone.cancel();
    }

    /// Writes what is pending and differs from what was sent, then ends the motions that
    /// were halted.
    async fn write_pending(
        &mut self,
        sent: &mut OutputState,
        failures: &mut u32,
        last_write: &mut Option<Instant>,
    ) -> Written {
        let (pending, halts) = {
            let mut shared = self.shared.lock();
            (
                std::mem::take(&mut shared.pending),
                std::mem::take(&mut shared.halts),
            )
        };
        let mut changed = Vec::new();
        let mut waiters = Vec::new();
        for (key, value) in pending {
            if sent.get(&key) == Some(&value.command) {
                // Already on the device: nothing to write, nothing to wait for.
                answer(value.waiters, &Ok(()));
            } else {
                changed.push((key.0, value.command));
                waiters.push(value.waiters);
            }
        }
        if changed.is_empty() && halts.is_empty() {
            // Nothing went out: the pacing and the keep-alive still count from the last write.
            return Written::Done;
        }
        // The gap counts from when a write begins: a slow link (a Bluetooth connection
        // interval) is not waited out twice, so the last value of a burst goes out within one
        // gap plus one write time.
        let started = Instant::now();
        let written = if changed.is_empty() {
            Written::Done
        } else {
            self.write_changed(changed, waiters, sent, failures).await
        };
        if !halts.is_empty() && !matches!(written, Written::Disconnected) {
            for (feature, output_type) in halts {
                match self.driver.halt(feature, output_type).await {
                    Err(error) if error.is_disconnected() => return Written::Disconnected,
                    Err(error) => warn!(%error, "stopping a motion failed"),
                    Ok(()) => {}
                }
            }
        }
        *last_write = Some(started);
        written
    }

    /// Applies `changed` (each with its waiters): tells them how it went, and puts the values
    /// back for another try while tries remain.
    async fn write_changed(
        &mut self,
        changed: Vec<(u32, OutputCommand)>,
        waiters: Vec<Vec<Waiter>>,
        sent: &mut OutputState,
        failures: &mut u32,
    ) -> Written {
        let mut state = sent.clone();
        for (feature, command) in &changed {
            state.insert((*feature, command.output_type()), *command);
        }
        match self.driver.apply(&changed, &state).await {
            Ok(()) => {
                *sent = state;
                *failures = 0;
                for waiting in waiters {
                    answer(waiting, &Ok(()));
                }
                Written::Done
            }
            Err(error) if error.is_disconnected() => {
                let error = Err(Arc::new(error));
                for waiting in waiters {
                    answer(waiting, &error);
                }
                Written::Disconnected
            }
            Err(error) if *failures < RETRIES => {
                *failures += 1;
                warn!(%error, attempt = *failures, "device write failed; trying again");
                // Put the values back unless newer ones arrived meanwhile (their waiters then
                // wait on the newer value): a stop that failed once must not be forgotten.
                let mut shared = self.shared.lock();
                for ((feature, command), waiting) in changed.into_iter().zip(waiters) {
                    let key = (feature, command.output_type());
                    if shared.halts.contains(&key) {
                        answer(waiting, &Ok(()));
                        continue;
                    }
                    let pending = shared.pending.entry(key).or_insert_with(|| Pending {
                        command,
                        waiters: Vec::new(),
                    });
                    pending.waiters.extend(waiting);
                }
                Written::Retry
            }
            Err(error) => {
                *failures = 0;
                warn!(%error, "device write failed {RETRIES} more times; giving up on these values");
                let error = Err(Arc::new(error));
                for waiting in waiters {
                    answer(waiting, &error);
                }
                Written::Done
            }
        }
    }
}

/// The next notification, skipping any missed while busy; never, when there are none to wait
/// for (or no more will come).
async fn next_notification(
    notifications: Option<&mut broadcast::Receiver<Notification>>,
) -> Notification {
    if let Some(notifications) = notifications {
        loop {
            match notifications.recv().await {
                Ok(notification) => return notification,
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    }
    std::future::pending().await
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

    /// Records what it is asked to apply; asks for a keep-alive when given one; fails every
    /// write once `dead`; answers reads after `read_delay`.
    struct Recorder {
        applied: mpsc::UnboundedSender<(Instant, Vec<(u32, OutputCommand)>)>,
        keepalive: Option<Duration>,
        dead: Arc<std::sync::atomic::AtomicBool>,
        read_delay: Duration,
    }

    impl Recorder {
        fn new(applied: mpsc::UnboundedSender<(Instant, Vec<(u32, OutputCommand)>)>) -> Self {
            Self {
                applied,
                keepalive: None,
                dead: Arc::default(),
                read_delay: Duration::ZERO,
            }
        }
    }

    impl DeviceDriver for Recorder {
        fn apply<'a>(
            &'a mut self,
            changed: &'a [(u32, OutputCommand)],
            _: &'a OutputState,
        ) -> BoxFuture<'a, Result<(), HardwareError>> {
            let dead = self.dead.load(std::sync::atomic::Ordering::SeqCst);
            if !dead {
                let _ = self.applied.send((Instant::now(), changed.to_vec()));
            }
            Box::pin(async move {
                if dead {
                    Err(HardwareError::Disconnected)
                } else {
                    Ok(())
                }
            })
        }

        fn read(&self, _: u32, _: InputType) -> BoxFuture<'static, Result<i32, HardwareError>> {
            let delay = self.read_delay;
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                Ok(42)
            })
        }

        fn keepalive(&self) -> Option<Duration> {
            self.keepalive
        }
    }

    fn vibrate(value: i32) -> OutputCommand {
        OutputCommand::new(OutputType::Vibrate, value)
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_device_that_needs_it_gets_a_keepalive() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let every = Duration::from_secs(1);
        let recorder = Recorder {
            keepalive: Some(every),
            ..Recorder::new(applied)
        };
        let task = DeviceTask::start(recorder, Duration::from_millis(50));
        task.set(0, vibrate(7));
        let (first_at, first) = seen.recv().await.expect("the command");
        assert_eq!(first, vec![(0, vibrate(7))]);
        // Nothing changes; one keep-alive per second carries the current state again.
        for n in 1..=3 {
            let (at, again) = seen.recv().await.expect("a keep-alive");
            assert_eq!(again, first);
            assert_eq!(at - first_at, every * n);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_same_value_again_and_again_does_not_hold_the_keepalive_back() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let every = Duration::from_millis(300);
        let recorder = Recorder {
            keepalive: Some(every),
            ..Recorder::new(applied)
        };
        let task = DeviceTask::start(recorder, Duration::from_millis(50));
        task.set(0, vibrate(7));
        let (first_at, _) = seen.recv().await.expect("the command");
        // A client repeating itself every 10 ms: nothing new to write, and the device must
        // still hear from us on time.
        let flood = async {
            loop {
                task.set(0, vibrate(7));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        let keepalives = async {
            for n in 1..=3 {
                let (at, again) = seen.recv().await.expect("a keep-alive");
                assert_eq!(again, vec![(0, vibrate(7))]);
                assert!(
                    at - first_at <= every * n + Duration::from_millis(10),
                    "{n}"
                );
            }
        };
        tokio::select! {
            () = flood => unreachable!("the flood never ends"),
            () = keepalives => {}
        }
    }

    #[tokio::test(start_paused = true)]
    async fn keepalives_start_with_the_task_not_with_the_first_command() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let every = Duration::from_millis(500);
        let recorder = Recorder {
            keepalive: Some(every),
            ..Recorder::new(applied)
        };
        let started = Instant::now();
        let _task = DeviceTask::start(recorder, Duration::from_millis(50));
        // No command yet: the (empty) state is sent again all the same, on time.
        for n in 1..=2 {
            let (at, again) = seen.recv().await.expect("a keep-alive");
            assert!(again.is_empty());
            assert_eq!(at - started, every * n);
        }
    }

    /// Wants `steps` keep-alives `every` apart, then none.
    struct Stepper {
        steps: u32,
        every: Duration,
        taken: mpsc::UnboundedSender<Instant>,
    }

    impl DeviceDriver for Stepper {
        fn apply<'a>(
            &'a mut self,
            _: &'a [(u32, OutputCommand)],
            _: &'a OutputState,
        ) -> BoxFuture<'a, Result<(), HardwareError>> {
            Box::pin(async { Ok(()) })
        }

        fn read(&self, _: u32, _: InputType) -> BoxFuture<'static, Result<i32, HardwareError>> {
            Box::pin(async { Err(HardwareError::Timeout) })
        }

        fn keepalive(&self) -> Option<Duration> {
            (self.steps > 0).then_some(self.every)
        }

        fn send_keepalive<'a>(
            &'a mut self,
            _: &'a OutputState,
        ) -> BoxFuture<'a, Result<(), HardwareError>> {
            self.steps -= 1;
            let _ = self.taken.send(Instant::now());
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_keepalive_interval_follows_the_drivers_state() {
        let (taken, mut seen) = mpsc::unbounded_channel();
        let every = Duration::from_millis(60);
        let started = Instant::now();
        let _task = DeviceTask::start(
            Stepper {
                steps: 3,
                every,
                taken,
            },
            Duration::from_millis(50),
        );
        for n in 1..=3 {
            let at = seen.recv().await.expect("a step");
            assert_eq!(at - started, every * n);
        }
        // Nothing left to do: no more keep-alives.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(seen.try_recv().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn no_keepalive_when_not_needed() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let task = DeviceTask::start(Recorder::new(applied), Duration::from_millis(50));
        task.set(0, vibrate(7));
        seen.recv().await.expect("the command");
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(seen.try_recv().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_read_holds_no_write_back() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let recorder = Recorder {
            read_delay: Duration::from_secs(5),
            ..Recorder::new(applied)
        };
        let task = Arc::new(DeviceTask::start(recorder, Duration::from_millis(50)));
        let started = Instant::now();
        let reading = tokio::spawn({
            let task = task.clone();
            async move { task.read(0, InputType::Battery).await }
        });
        tokio::task::yield_now().await;
        task.set(0, vibrate(3));
        let (written_at, written) = seen.recv().await.expect("the write");
        assert_eq!(written, vec![(0, vibrate(3))]);
        assert!(written_at - started < Duration::from_millis(100));
        let value = reading.await.expect("read task").expect("read");
        assert_eq!(value, 42);
        assert!(Instant::now() - started >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_disconnected_device_is_given_up_at_once_and_reported_gone() {
        let (applied, mut seen) = mpsc::unbounded_channel();
        let recorder = Recorder::new(applied);
        let dead = recorder.dead.clone();
        let task = DeviceTask::start(recorder, Duration::from_millis(50));
        task.set(0, vibrate(3));
        seen.recv().await.expect("the first write");
        dead.store(true, std::sync::atomic::Ordering::SeqCst);
        task.set(0, vibrate(4));
        // One failed write is enough: no retries, the task ends and says so.
        tokio::time::timeout(Duration::from_secs(1), task.gone())
            .await
            .expect("reported gone");
        assert!(matches!(
            task.read(0, InputType::Battery).await,
            Err(HardwareError::Disconnected)
        ));
    }

    /// Answers notifications: passes each one on.
    struct Answerer {
        notifications: Option<broadcast::Receiver<Notification>>,
        answered: mpsc::UnboundedSender<Notification>,
    }

    impl DeviceDriver for Answerer {
        fn apply<'a>(
            &'a mut self,
            _: &'a [(u32, OutputCommand)],
            _: &'a OutputState,
        ) -> BoxFuture<'a, Result<(), HardwareError>> {
            Box::pin(async { Ok(()) })
        }

        fn read(&self, _: u32, _: InputType) -> BoxFuture<'static, Result<i32, HardwareError>> {
            Box::pin(async { Ok(0) })
        }

        fn notifications(&mut self) -> Option<broadcast::Receiver<Notification>> {
            self.notifications.take()
        }

        fn notified(
            &mut self,
            notification: Notification,
        ) -> BoxFuture<'_, Result<(), HardwareError>> {
            let _ = self.answered.send(notification);
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn notifications_reach_a_driver_that_answers_them() {
        let (device, receiver) = broadcast::channel(4);
        let (answered, mut seen) = mpsc::unbounded_channel();
        let driver = Answerer {
            notifications: Some(receiver),
            answered,
        };
        let task = DeviceTask::start(driver, Duration::from_millis(50));
        let state = Notification {
            endpoint: crate::hardware::Endpoint::Rx,
            data: b"idle".to_vec(),
        };
        device.send(state.clone()).expect("the task listens");
        assert_eq!(seen.recv().await, Some(state));
        // A device that sends no more leaves the task working, not spinning.
        drop(device);
        task.set(0, vibrate(3));
        tokio::time::timeout(Duration::from_secs(1), task.read(0, InputType::Battery))
            .await
            .expect("the task still answers")
            .expect("a reading");
        assert!(seen.try_recv().is_err());
    }
}

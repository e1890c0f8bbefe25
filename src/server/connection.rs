//! Drives one [`Session`] over a link: frames in, replies out, device events, deadlines, and
//! server shutdown.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use plugwire_core::link::{Inbound, Link};
use plugwire_core::message::{AnyClientMessage, MessageId, SpecVersion, VersionedServerMessage};
use plugwire_core::{ConnectorError, ErrorCode, TransportError};
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use plugwire_devices::hardware::HardwareError;
use plugwire_devices::{DeviceError, DeviceEvent, DeviceManager};

use super::session::{PendingRead, PendingWrite, Session, Step};

/// Longest one batch of replies may take to go out before the client counts as gone (it
/// stopped reading): the session ends and its outputs stop.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Most inbound frames handled before the replies they produced are flushed.
const MAX_BATCH: usize = 64;
/// Longest the closing handshake may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Most device events already waiting that are read in one go (so that a burst of arrivals
/// makes one device list); the rest wait for the next turn.
const MAX_EVENTS_AT_ONCE: usize = 1024;

/// Runs `session` on `link` until the client leaves, the link fails, a deadline passes, a
/// send stalls or the server shuts down. The session's outputs stop on every one of those
/// paths (and, should this future be dropped, through the session's `Drop`).
pub(crate) async fn run_session<L: Link<AnyClientMessage, VersionedServerMessage>>(
    mut link: L,
    mut session: Session,
    devices: Arc<DeviceManager>,
    events: broadcast::Receiver<DeviceEvent>,
    shutdown: CancellationToken,
    waiting: Waiting,
) {
    let input_timeout = session.config().input_timeout;
    let id = session.id();
    // Device reads run here, beside everything else the session does: pings, deadlines and
    // events never wait behind a slow device.
    let mut reads = FuturesUnordered::new();
    // Output commands waiting for their device to write them, likewise.
    let mut writes = FuturesUnordered::new();
    // The waits below live across turns of the loop: made afresh each turn, every turn would
    // register with (and leave) the shared event channel, the shutdown token and the timer.
    let mut events = BroadcastStream::new(events);
    let shutdown = shutdown.cancelled();
    let mut shutdown = pin!(shutdown);
    // Until its handshake, the session may be closed to make room for a newcomer.
    let mut awaiting_handshake = true;
    let evicted = waiting.evicted.clone().cancelled_owned();
    let mut evicted = pin!(evicted);
    let mut timer = pin!(tokio::time::sleep_until(Instant::now()));
    let mut timer_at = None;
    // When a v4 client is sent the device list it is due: the settle time after the first
    // arrival or departure it has not heard of, so a burst of them is one list.
    let list_settle = session.config().device_list_settle;
    let mut list_timer = pin!(tokio::time::sleep_until(Instant::now()));
    let mut list_armed = false;
    loop {
        if awaiting_handshake && session.version().is_some() {
            awaiting_handshake = false;
            waiting.handshaken();
        }
        let deadline = session.deadline();
        if deadline != timer_at {
            if let Some(at) = deadline {
                timer.as_mut().reset(at);
            }
            timer_at = deadline;
        }
        if session.list_pending() != list_armed {
            list_armed = !list_armed;
            if list_armed {
                list_timer.as_mut().reset(Instant::now() + list_settle);
            }
        }
        let mut step = tokio::select! {
            inbound = link.next() => match on_inbound(&mut session, inbound, Instant::now()) {
                Some(step) => step,
                None => break,
            },
            Some((read, result)) = reads.next(), if !reads.is_empty() => {
                session.read_done(read, result)
            }
            Some((id, result)) = writes.next(), if !writes.is_empty() => {
                session.write_done(id, result)
            }
            event = events.next() => match event {
                Some(event) => {
                    let mut replies = on_event(&mut session, event);
                    read_waiting_events(&mut session, &mut events, &mut replies);
                    Step::replies(replies)
                }
                None => break,
            },
            () = timer.as_mut(), if timer_at.is_some() => session.deadline_passed(),
            () = list_timer.as_mut(), if list_armed => {
                // Events already waiting may be more of the same burst: one list for them all.
                let mut replies = Vec::new();
                read_waiting_events(&mut session, &mut events, &mut replies);
                replies.extend(session.send_pending_list());
                Step::replies(replies)
            }
            () = shutdown.as_mut() => {
                info!(session = id, "server shutting down; closing session");
                break;
            }
            () = evicted.as_mut(), if awaiting_handshake => {
                debug!(session = id, "no handshake yet and the server is full: closed to make room");
                break;
            }
        };
        // Write batching: every reply ready now is fed to the link, and the link is flushed
        // once when nothing more is ready, so 32 requests in flight cost one write rather than
        // 32. Only what is already here is taken: a lone request is answered at once. One
        // send deadline covers the whole batch.
        let (link, session, reads, writes, devices) =
            (&mut link, &mut session, &mut reads, &mut writes, &devices);
        // What arrives within one batch arrived together: one reading of the clock serves
        // the rest of it and its send deadline (reading it per message cost more than
        // deciding a RequestDeviceList).
        let now = Instant::now();
        let sent = tokio::time::timeout_at(now + SEND_TIMEOUT, async move {
            let mut fed = false;
            let mut taken = 0;
            let go_on = loop {
                for read in step.reads {
                    reads.push(perform(devices.clone(), read, input_timeout));
                }
                for write in step.writes {
                    writes.push(delivered(write, input_timeout));
                }
                if !step.replies.is_empty() {
                    if !feed(link, session, step.replies).await {
                        return false;
                    }
                    fed = true;
                }
                if step.close {
                    break false;
                }
                // Bounded, so a client that never stops sending cannot starve its own
                // replies, device events or deadlines.
                taken += 1;
                if taken == MAX_BATCH {
                    break true;
                }
                step = match link.next().now_or_never() {
                    Some(inbound) => match on_inbound(session, inbound, now) {
                        Some(step) => step,
                        None => break false,
                    },
                    None => break true,
                };
            };
            if fed && !flush(link).await {
                return false;
            }
            go_on
        })
        .await;
        match sent {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                warn!(
                    session = id,
                    "the client stopped reading; ending the session"
                );
                break;
            }
        }
    }
    session.end();
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, link.close()).await;
    info!(session = id, client = ?session.client_name(), "session ended");
}

/// What the client hears of one item of the device event stream.
fn on_event(
    session: &mut Session,
    event: Result<DeviceEvent, BroadcastStreamRecvError>,
) -> Vec<VersionedServerMessage> {
    match event {
        Ok(event) => session.handle_event(event),
        Err(BroadcastStreamRecvError::Lagged(missed)) => {
            warn!(
                session = session.id(),
                missed, "session fell behind device events; resending the device list"
            );
            session.resynchronise()
        }
    }
}

/// Handles the device events already waiting (at most [`MAX_EVENTS_AT_ONCE`]), adding what
/// the client hears of them to `replies`. The end of the stream is left for the next turn.
fn read_waiting_events(
    session: &mut Session,
    events: &mut BroadcastStream<DeviceEvent>,
    replies: &mut Vec<VersionedServerMessage>,
) {
    for _ in 0..MAX_EVENTS_AT_ONCE {
        match events.next().now_or_never() {
            Some(Some(event)) => replies.extend(on_event(session, event)),
            Some(None) | None => return,
        }
    }
}

/// How a session still without its handshake may be closed to make room (see
/// `admission::AwaitingHandshake`); it leaves that queue when dropped, however the session
/// ends.
pub(crate) struct Waiting {
    id: u64,
    evicted: CancellationToken,
    awaiting: Arc<super::admission::AwaitingHandshake>,
}

impl Waiting {
    /// Session `id`, queued in `awaiting` until its handshake.
    pub(crate) fn new(id: u64, awaiting: Arc<super::admission::AwaitingHandshake>) -> Self {
        Self {
            id,
            evicted: awaiting.add(id),
            awaiting,
        }
    }

    /// The handshake is done: the session can no longer be closed to make room.
    fn handshaken(&self) {
        self.awaiting.done(self.id);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.awaiting.done(self.id);
    }
}

/// Waits (at most `limit`) until the device of `write` has written it.
async fn delivered(write: PendingWrite, limit: Duration) -> (MessageId, Result<(), DeviceError>) {
    let result = write.delivery.wait_within(limit).await;
    let result = result.map_err(|source| DeviceError::NotWritten {
        device: write.device_index,
        source,
    });
    (write.id, result)
}

/// Reads an input for a session, within `limit`.
async fn perform(
    devices: Arc<DeviceManager>,
    read: PendingRead,
    limit: Duration,
) -> (PendingRead, Result<i32, DeviceError>) {
    let reading = devices.read_input(read.device_index, read.feature_index, read.input_type);
    let result = match tokio::time::timeout(limit, reading).await {
        Ok(result) => result,
        Err(_) => Err(DeviceError::Hardware {
            device: read.device_index,
            source: HardwareError::Timeout,
        }),
    };
    (read, result)
}

/// What an inbound item from the link makes the session do; `None` when the client closed
/// the connection.
fn on_inbound(
    session: &mut Session,
    inbound: Option<Result<Inbound<AnyClientMessage>, TransportError>>,
    now: Instant,
) -> Option<Step> {
    match inbound {
        Some(Ok(inbound)) => Some(session.handle(inbound, now)),
        Some(Err(error)) => {
            if let TransportError::Silent(_) = error {
                info!(session = session.id(), %error, "the client went silent; ending its session");
            } else {
                debug!(%error, "transport ended the session");
            }
            Some(session.transport_failed(&error))
        }
        None => {
            debug!("client closed the connection");
            None
        }
    }
}

/// Queues one batch on the link without flushing it (the link may still write if its buffer
/// fills). Returns whether the session can go on.
async fn feed<L: Link<AnyClientMessage, VersionedServerMessage>>(
    link: &mut L,
    session: &Session,
    replies: Vec<VersionedServerMessage>,
) -> bool {
    match link.feed(replies).await {
        Ok(()) => true,
        Err(ConnectorError::Oversized(error)) => {
            // The batch was refused before anything was written; say so instead.
            warn!(session = session.id(), %error, "a reply was too large for the transport");
            let version = session.version().unwrap_or(SpecVersion::NEWEST);
            let notice = VersionedServerMessage::error(
                version,
                0,
                ErrorCode::Unknown,
                format!("a reply was too large for the transport: {error}"),
            );
            link.feed(vec![notice]).await.is_ok()
        }
        Err(error) => {
            debug!(%error, "could not send to the client");
            false
        }
    }
}

/// Writes out everything fed. Returns whether the session can go on.
async fn flush<L: Link<AnyClientMessage, VersionedServerMessage>>(link: &mut L) -> bool {
    match link.flush().await {
        Ok(()) => true,
        Err(error) => {
            debug!(%error, "could not send to the client");
            false
        }
    }
}

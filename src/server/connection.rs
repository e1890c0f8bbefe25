//! Drives one [`Session`] over a link: frames in, replies out, device events, deadlines, and
//! server shutdown.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use plugwire_core::link::{Inbound, Link};
use plugwire_core::message::{AnyClientMessage, SpecVersion, VersionedServerMessage};
use plugwire_core::{ConnectorError, ErrorCode, TransportError};
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use plugwire_devices::hardware::HardwareError;
use plugwire_devices::{DeviceError, DeviceEvent, DeviceManager};

use super::session::{PendingRead, Session, Step};

/// Longest one batch of replies may take to go out before the client counts as gone (it
/// stopped reading): the session ends and its outputs stop.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Most inbound frames handled before the replies they produced are flushed.
const MAX_BATCH: usize = 64;
/// Longest the closing handshake may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs `session` on `link` until the client leaves, the link fails, a deadline passes, a
/// send stalls or the server shuts down. The session's outputs stop on every one of those
/// paths (and, should this future be dropped, through the session's `Drop`).
pub(crate) async fn run_session<L: Link<AnyClientMessage, VersionedServerMessage>>(
    mut link: L,
    mut session: Session,
    devices: Arc<DeviceManager>,
    mut events: broadcast::Receiver<DeviceEvent>,
    shutdown: CancellationToken,
) {
    let input_timeout = session.config().input_timeout;
    // Device reads run here, beside everything else the session does: pings, deadlines and
    // events never wait behind a slow device.
    let mut reads = FuturesUnordered::new();
    'session: loop {
        let deadline = session.deadline();
        let mut step = tokio::select! {
            inbound = link.next() => match on_inbound(&mut session, inbound) {
                Some(step) => step,
                None => break,
            },
            Some((read, result)) = reads.next(), if !reads.is_empty() => {
                session.read_done(read, result)
            }
            event = events.recv() => match event {
                Ok(event) => Step::replies(session.handle_event(event)),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    warn!(missed, "session fell behind device events; resending the device list");
                    Step::replies(session.resynchronise())
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = sleep_until_some(deadline) => session.deadline_passed(),
            () = shutdown.cancelled() => {
                info!("server shutting down; closing session");
                break;
            }
        };
        // Write batching: every reply ready now is fed to the link, and the link is flushed
        // once when nothing more is ready, so 32 requests in flight cost one write rather than
        // 32. Only what is already here is taken: a lone request is answered at once.
        let mut fed = false;
        let mut end = false;
        let mut taken = 0;
        loop {
            for read in step.reads {
                reads.push(perform(devices.clone(), read, input_timeout));
            }
            if !step.replies.is_empty() {
                if !feed(&mut link, &session, step.replies).await {
                    break 'session;
                }
                fed = true;
            }
            if step.close {
                end = true;
                break;
            }
            // Bounded, so a client that never stops sending cannot starve its own replies,
            // device events or deadlines.
            taken += 1;
            if taken == MAX_BATCH {
                break;
            }
            step = match link.next().now_or_never() {
                Some(inbound) => match on_inbound(&mut session, inbound) {
                    Some(step) => step,
                    None => {
                        end = true;
                        break;
                    }
                },
                None => break,
            };
        }
        if fed && !flush(&mut link).await {
            break;
        }
        if end {
            break;
        }
    }
    session.end();
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, link.close()).await;
    info!(session = session.id(), client = ?session.client_name(), "session ended");
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
) -> Option<Step> {
    match inbound {
        Some(Ok(inbound)) => Some(session.handle(inbound, Instant::now())),
        Some(Err(error)) => {
            if let TransportError::Silent(_) = error {
                info!(%error, "the client went silent; ending its session");
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
    match tokio::time::timeout(SEND_TIMEOUT, link.feed(replies)).await {
        Ok(Ok(())) => true,
        Ok(Err(ConnectorError::Oversized(error))) => {
            // The batch was refused before anything was written; say so instead.
            warn!(%error, "a reply was too large for the transport");
            let version = session.version().unwrap_or(SpecVersion::NEWEST);
            let notice = VersionedServerMessage::error(
                version,
                0,
                ErrorCode::Unknown,
                format!("a reply was too large for the transport: {error}"),
            );
            matches!(
                tokio::time::timeout(SEND_TIMEOUT, link.feed(vec![notice])).await,
                Ok(Ok(()))
            )
        }
        Ok(Err(error)) => {
            debug!(%error, "could not send to the client");
            false
        }
        Err(_) => {
            warn!("the client stopped reading; ending the session");
            false
        }
    }
}

/// Writes out everything fed. Returns whether the session can go on.
async fn flush<L: Link<AnyClientMessage, VersionedServerMessage>>(link: &mut L) -> bool {
    match tokio::time::timeout(SEND_TIMEOUT, link.flush()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            debug!(%error, "could not send to the client");
            false
        }
        Err(_) => {
            warn!("the client stopped reading; ending the session");
            false
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

//! Drives one [`Session`] over a link: frames in, replies out, device events, the ping
//! deadline, and server shutdown.

use futures::{SinkExt, StreamExt};
use plugwire_core::link::Link;
use plugwire_core::message::{AnyClientMessage, VersionedServerMessage};
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::session::{Session, Step};
use crate::device::DeviceEvent;

/// Runs `session` on `link` until the client leaves, the link fails, the ping deadline passes
/// or the server shuts down. The session's outputs are stopped on every one of those paths.
pub(crate) async fn run_session<L: Link<AnyClientMessage, VersionedServerMessage>>(
    mut link: L,
    mut session: Session,
    mut events: broadcast::Receiver<DeviceEvent>,
    shutdown: CancellationToken,
) {
    loop {
        let deadline = session.ping_deadline();
        let step = tokio::select! {
            inbound = link.next() => match inbound {
                Some(Ok(inbound)) => session.handle(inbound, Instant::now()).await,
                Some(Err(error)) => {
                    debug!(%error, "transport ended the session");
                    session.transport_failed(&error)
                }
                None => {
                    debug!("client closed the connection");
                    break;
                }
            },
            event = events.recv() => match event {
                Ok(event) => Step { replies: session.handle_event(event), close: false },
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    warn!(missed, "session fell behind device events; resending the device list");
                    Step { replies: session.resynchronise(), close: false }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = sleep_until_some(deadline) => session.ping_expired(),
            () = shutdown.cancelled() => {
                info!("server shutting down; closing session");
                break;
            }
        };
        if !step.replies.is_empty()
            && let Err(error) = link.send(step.replies).await
        {
            debug!(%error, "could not send to the client");
            break;
        }
        if step.close {
            break;
        }
    }
    session.end();
    let _ = link.close().await;
    info!(session = session.id(), client = ?session.client_name(), "session ended");
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

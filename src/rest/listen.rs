//! The REST API's accept loop: every connection served in its own task (TLS first, when the
//! API has a certificate) under the header and idle timeouts, at most so many at once, a pause
//! (never a spin) when accepting fails, and a graceful end when the server shuts down.
//!
//! When the cap is reached, a newcomer closes the oldest connection that is not in the middle
//! of a request: first those that never completed a request head (a crowd of half-sent or
//! silent sockets), then the longest idle kept-alive ones. A crowd therefore holds its room
//! only until someone else arrives, and a prompt client is always served. Connections in the
//! middle of a request (event streams included) are never closed for room; when every one is,
//! the newcomer is closed at once.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use plugwire_core::log_limit::LogLimit;
use plugwire_core::sync::Mutex;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, warn};

use super::connection::{self, Activity, Ended, Ends};
use super::limits::Limits;

/// The shortest pause after accepting failed; it doubles while accepting keeps failing.
const MIN_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause after accepting failed.
const MAX_PAUSE: Duration = Duration::from_secs(1);
/// At most one warning of each kind this often; the ones held back are counted in the next.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Where connections come from: a TCP listener (in tests, also one that fails).
pub(crate) trait Incoming: Send {
    /// The next connection and its peer.
    fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send;
}

impl Incoming for TcpListener {
    fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
        TcpListener::accept(self)
    }
}

/// Accepts on `listener` until `shutdown`, then lets requests under way finish (at most the
/// shutdown grace) and returns. With `tls`, every connection is HTTPS.
pub(crate) async fn accept_loop(
    listener: impl Incoming,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let open = Arc::new(Open::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let mut pause = MIN_PAUSE;
    let accept_failed = LogLimit::new(1, WARN_EVERY);
    let full = LogLimit::new(1, WARN_EVERY);
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                if let Err(error) = joined
                    && error.is_panic()
                {
                    warn!(%error, "a REST connection task panicked");
                }
                continue;
            }
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                pause = MIN_PAUSE;
                accepted
            }
            // The peer left before we took its connection: nothing wrong here.
            Err(error) if per_connection(&error) => {
                debug!(%error, "a REST connection went before it was accepted");
                continue;
            }
            Err(error) => {
                // Out of descriptors or memory: retrying at once would only spin.
                if let Some(held_back) = accept_failed.admit_now() {
                    warn!(
                        %error,
                        pause_ms = pause.as_millis() as u64,
                        held_back,
                        "REST API cannot accept; pausing"
                    );
                }
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = shutdown.cancelled() => break,
                }
                pause = (pause * 2).min(MAX_PAUSE);
                continue;
            }
        };
        let Some((slot, evicted)) = open.admit() else {
            if let Some(held_back) = full.admit_now() {
                warn!(
                    max = limits.max_connections,
                    held_back, "every REST connection is mid-request; refusing newcomers"
                );
            }
            drop(stream);
            continue;
        };
        if evicted && let Some(held_back) = full.admit_now() {
            warn!(
                max = limits.max_connections,
                held_back, "REST connection limit reached; closing the oldest idle connections"
            );
        }
        if let Err(error) = stream.set_nodelay(true) {
            debug!(%peer, %error, "could not set TCP_NODELAY");
        }
        connections.spawn(
            serve_one(
                stream,
                peer,
                tls.clone(),
                router.clone(),
                slot,
                limits,
                shutdown.clone(),
            )
            .in_current_span(),
        );
    }
    // New peers are refused from here on; those under way get the grace to finish.
    drop(listener);
    let left = connections.len();
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        info!(
            left = connections.len(),
            of = left,
            "REST connections did not finish in time; closing them"
        );
        connections.shutdown().await;
    }
}

/// One connection, from admission to its slot given back.
async fn serve_one(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    router: Router,
    slot: Slot,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let ends = Ends {
        evict: slot.evict.clone(),
        shutdown,
    };
    let ended = connection::serve(
        stream,
        peer,
        tls,
        router,
        slot.activity.clone(),
        limits,
        ends,
    )
    .await;
    if ended == Ended::Evicted {
        debug!(%peer, "REST connection closed to make room");
    }
    drop(slot);
}

/// Whether an accept error concerns only the one connection it would have been.
fn per_connection(error: &io::Error) -> bool {
    use io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionRefused
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
    )
}

/// The connections open, at most `max`.
struct Open {
    max: usize,
    inner: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    next_id: u64,
    by_id: HashMap<u64, Held>,
}

/// What the table keeps of one open connection.
struct Held {
    activity: Arc<Activity>,
    evict: CancellationToken,
}

/// One admitted connection's place; dropping it gives the place back.
struct Slot {
    open: Arc<Open>,
    id: u64,
    activity: Arc<Activity>,
    evict: CancellationToken,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.inner.lock().by_id.remove(&self.id);
    }
}

impl Open {
    fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            inner: Mutex::new(Slots::default()),
        }
    }

    /// A place for a newcomer, and whether another connection was closed to make it; none
    /// when every open connection is mid-request.
    fn admit(self: &Arc<Self>) -> Option<(Slot, bool)> {
        let mut slots = self.inner.lock();
        let mut evicted = false;
        if slots.by_id.len() >= self.max {
            let oldest = slots
                .by_id
                .iter()
                .filter_map(|(id, held)| Some((held.activity.idle_rank()?, *id)))
                .min()
                .map(|(_, id)| id)?;
            if let Some(held) = slots.by_id.remove(&oldest) {
                held.evict.cancel();
                evicted = true;
            }
        }
        let id = slots.next_id;
        slots.next_id += 1;
        let activity = Activity::new();
        let evict = CancellationToken::new();
        slots.by_id.insert(
            id,
            Held {
                activity: activity.clone(),
                evict: evict.clone(),
            },
        );
        Some((
            Slot {
                open: self.clone(),
                id,
                activity,
                evict,
            },
            evicted,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A listener out of file descriptors, counting how often it is asked.
    #[derive(Default)]
    struct OutOfDescriptors {
        asked: AtomicUsize,
    }

    impl Incoming for Arc<OutOfDescriptors> {
        fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
            self.asked.fetch_add(1, Ordering::SeqCst);
            // EMFILE.
            std::future::ready(Err(io::Error::from_raw_os_error(24)))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn accepting_that_keeps_failing_pauses_instead_of_spinning() {
        let listener = Arc::new(OutOfDescriptors::default());
        let shutdown = CancellationToken::new();
        let serving = tokio::spawn(accept_loop(
            listener.clone(),
            None,
            Router::new(),
            Limits::default(),
            shutdown.clone(),
        ));
        // Five seconds on the paused clock: pauses of 10, 20, ... 640 ms, then a second each.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let asked = listener.asked.load(Ordering::SeqCst);
        assert!((8..=12).contains(&asked), "asked {asked} times in 5 s");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), serving)
            .await
            .expect("the loop ends with the server")
            .expect("the loop did not panic");
    }

    #[tokio::test(start_paused = true)]
    async fn room_is_made_from_the_oldest_connection_not_mid_request() {
        let open = Arc::new(Open::new(2));
        let (first, evicted) = open.admit().expect("room");
        assert!(!evicted);
        tokio::time::advance(Duration::from_millis(1)).await;
        let (second, _) = open.admit().expect("room");
        let (third, evicted) = open.admit().expect("room made");
        assert!(evicted);
        assert!(first.evict.is_cancelled(), "the oldest goes first");
        assert!(!second.evict.is_cancelled());

        // Mid-request connections are never closed for room.
        let _second_busy = second.activity.request_started();
        let _third_busy = third.activity.request_started();
        assert!(open.admit().is_none(), "every connection is mid-request");
    }
}

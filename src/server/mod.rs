//! The server: accepts sessions from any number of listeners and links at once, over one
//! shared [`DeviceManager`].

mod admission;
mod connection;
pub mod session;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;

use plugwire_core::access::redacted;
use plugwire_core::connector::{InProcessAcceptor, InProcessServerEnd};
use plugwire_core::link::{FramedLink, Link};
use plugwire_core::log_limit::LogLimit;
use plugwire_core::message::{AnyClientMessage, VersionedServerMessage};
use plugwire_core::{ErrorCode, Establish, Listener, Serializer, SerializerFactory, Transport};
use plugwire_devices::{DeviceManager, SessionId};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, debug, debug_span, info, warn};

pub use admission::HandshakeLimits;
pub use session::{PendingRead, PendingWrite, Session, SessionConfig, Step};

use admission::{AwaitingHandshake, SessionsBySource};
use plugwire_core::room::{Room, RoomLimits};

/// First wait before dialling out again.
const MIN_REDIAL: Duration = Duration::from_millis(500);
/// Longest wait before dialling out again.
const MAX_REDIAL: Duration = Duration::from_secs(10);
/// Longest shutdown waits for sessions and handshakes to end.
pub const SHUTDOWN_DRAIN: Duration = Duration::from_secs(2);
/// Longest shutdown waits for devices to take their final stops.
const SHUTDOWN_FLUSH: Duration = Duration::from_secs(2);
/// Longest a newcomer waits for the place of a session closed to make room for it.
const ROOM_WAIT: Duration = Duration::from_secs(1);
/// Longest a refused connection may take to be told and closed.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);

/// Settings of a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// What every session shares (name, ping deadline).
    pub session: SessionConfig,
    /// Most sessions served at once; more are told so and closed.
    pub max_connections: usize,
    /// Transport handshakes (TLS, the WebSocket upgrade, QUIC) each listener carries out at
    /// once, in all and per source; past either, the oldest is dropped.
    pub handshakes: HandshakeLimits,
    /// Sessions one address beyond this machine may hold at once (loopback peers are bounded
    /// by `max_connections` alone); more are told the server is full.
    pub max_sessions_per_remote_source: usize,
}

impl ServerConfig {
    /// The defaults for `max_connections` sessions: handshakes up to twice as many per
    /// listener, [`DEFAULT_HANDSHAKES_PER_SOURCE`] from one address.
    pub fn for_connections(max_connections: usize) -> Self {
        Self {
            session: SessionConfig::default(),
            max_connections,
            handshakes: HandshakeLimits {
                per_listener: max_connections.saturating_mul(2),
                per_source: DEFAULT_HANDSHAKES_PER_SOURCE,
            },
            max_sessions_per_remote_source: DEFAULT_SESSIONS_PER_REMOTE_SOURCE,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::for_connections(64)
    }
}

/// Refused sessions and failed accepts, which a stranger can cause as fast as they connect:
/// at most a few log lines per ten seconds, each counting those left unsaid.
static FULL: LogLimit = LogLimit::new(10, Duration::from_secs(10));
static ACCEPT_FAILED: LogLimit = LogLimit::new(1, Duration::from_secs(10));

/// Handshakes one address may have under way on a listener, by default.
pub const DEFAULT_HANDSHAKES_PER_SOURCE: usize = 32;

/// Sessions one address beyond this machine may hold, by default: a household's phones and
/// apps, not a stranger's crowd of idle sessions.
pub const DEFAULT_SESSIONS_PER_REMOTE_SOURCE: usize = 16;

/// A Buttplug server: many concurrent sessions over one device manager.
pub struct Server {
    devices: Arc<DeviceManager>,
    session_config: Arc<SessionConfig>,
    connections: Arc<Semaphore>,
    handshake_limits: HandshakeLimits,
    sessions_by_source: Arc<SessionsBySource>,
    awaiting_handshake: Arc<AwaitingHandshake>,
    next_session: AtomicU64,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Server {
    /// A server over `devices`.
    pub fn new(config: ServerConfig, devices: Arc<DeviceManager>) -> Arc<Self> {
        Arc::new(Self {
            devices,
            session_config: Arc::new(config.session),
            connections: Arc::new(Semaphore::new(config.max_connections)),
            handshake_limits: config.handshakes,
            sessions_by_source: Arc::new(SessionsBySource::new(
                config.max_sessions_per_remote_source,
            )),
            awaiting_handshake: Arc::default(),
            next_session: AtomicU64::new(1),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        })
    }

    /// The device manager every session shares.
    pub fn devices(&self) -> &Arc<DeviceManager> {
        &self.devices
    }

    /// A session id no session of this server has or will have: for a front end that drives
    /// devices itself (the REST API) and must have its outputs stopped as one session's.
    pub fn new_session_id(&self) -> SessionId {
        self.next_session.fetch_add(1, Ordering::Relaxed)
    }

    /// Cancelled when the server shuts down; listeners stop accepting.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves one session on `transport`, encoding with `serializer`. Returns at once; the
    /// session runs in its own task.
    pub fn serve_transport<T: Transport, S: Serializer>(
        &self,
        transport: T,
        serializer: S,
        peer: &str,
    ) {
        let format = serializer.name();
        self.serve_link(
            FramedLink::new(transport, Arc::new(serializer)),
            peer,
            format,
        );
    }

    /// Serves one session on any link. Returns at once; the session runs in its own task.
    pub fn serve_link<L: Link<AnyClientMessage, VersionedServerMessage>>(
        &self,
        link: L,
        peer: &str,
        format: &str,
    ) {
        self.tasks.spawn(self.session_task(link, peer, format));
    }

    /// Serves one session on any link and returns when it has ended.
    pub async fn run_link<L: Link<AnyClientMessage, VersionedServerMessage>>(
        &self,
        link: L,
        peer: &str,
        format: &str,
    ) {
        self.tasks
            .track_future(self.session_task(link, peer, format))
            .await;
    }

    /// The whole life of one session: admission, the protocol, the stop at the end.
    fn session_task<L: Link<AnyClientMessage, VersionedServerMessage>>(
        &self,
        mut link: L,
        peer: &str,
        format: &str,
    ) -> BoxFuture<'static, ()> {
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        // Per-connection spans are at debug level: an enabled span keeps a slot (and its field
        // map) in the subscriber's registry, which never shrinks, so ten thousand sessions at
        // the default level would leave megabytes behind them. Events at info and above name
        // their session and peer themselves.
        let span = debug_span!("session", id, %peer, format);
        // Every connection taken: the oldest session that never sent its handshake goes, and
        // this one waits a moment for its place.
        let slot = self.sessions_by_source.admit(peer);
        let permit = slot.as_ref().and_then(|_| self.admit());
        let making_room =
            slot.is_some() && permit.is_none() && self.awaiting_handshake.evict_oldest();
        let connections = self.connections.clone();
        let admitted = async move {
            let slot = slot?;
            let permit = match permit {
                Some(permit) => permit,
                None if making_room => tokio::time::timeout(ROOM_WAIT, connections.acquire_owned())
                    .await
                    .ok()?
                    .ok()?,
                None => return None,
            };
            Some((slot, permit))
        };
        let server_parts = (
            self.session_config.clone(),
            self.devices.clone(),
            self.shutdown.clone(),
            self.awaiting_handshake.clone(),
        );
        let peer = peer.to_owned();
        let format = format.to_owned();
        async move {
            let Some(permit) = admitted.await else {
                if let Some(unsaid) = FULL.admit_now() {
                    warn!(session = id, %peer, unsaid, "connection limit reached (in all or for this address); refusing");
                }
                use futures::SinkExt;
                let full = VersionedServerMessage::error(
                    plugwire_core::message::SpecVersion::NEWEST,
                    0,
                    ErrorCode::Unknown,
                    "the server is serving as many clients as it allows; try again later",
                );
                let _ = tokio::time::timeout(REFUSAL_TIMEOUT, link.send(vec![full])).await;
                let _ = tokio::time::timeout(REFUSAL_TIMEOUT, link.close()).await;
                return;
            };
            let (session_config, devices, shutdown, awaiting) = server_parts;
            info!(session = id, %peer, %format, "session started");
            let session = Session::new(id, session_config, devices.clone(), Instant::now());
            let events = devices.subscribe();
            let waiting = connection::Waiting::new(id, awaiting);
            connection::run_session(link, session, devices, events, shutdown, waiting).await;
            drop(permit);
        }
        .instrument(span)
        .boxed()
    }

    /// Accepts connections on `listener` until the server shuts down; each one becomes a
    /// session. A slow handshake never holds up the accept loop.
    pub async fn listen<L: Listener, F: SerializerFactory>(
        self: &Arc<Self>,
        listener: L,
        serializers: F,
    ) {
        let serializers = Arc::new(serializers);
        let shutdown = self.shutdown_token();
        let handshakes = Room::new(
            RoomLimits {
                overall: self.handshake_limits.per_listener,
                per_source: self.handshake_limits.per_source,
            },
            "transport handshakes",
        );
        info!(address = %redacted(&listener.describe()), "listening for clients");
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = shutdown.cancelled() => break,
            };
            let (pending, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(plugwire_core::TransportError::Closed) => {
                    warn!("the listener closed; no longer accepting");
                    break;
                }
                Err(error) => {
                    // Accept errors (out of descriptors, a peer that left at once) are transient,
                    // but do not spin on a persistent one.
                    if let Some(unsaid) = ACCEPT_FAILED.admit_now() {
                        warn!(%error, unsaid, "accept failed");
                    }
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(50)) => continue,
                        () = shutdown.cancelled() => break,
                    }
                }
            };
            // Handshakes under way are bounded per listener and per source; a newcomer
            // pushes out the oldest, so idle sockets cannot keep prompt clients out.
            let mut pass = handshakes.enter(&admission::source_of(&peer));
            let server = self.clone();
            let serializer = serializers.for_connection();
            let span = debug_span!("handshake", %peer);
            let stopping = shutdown.clone();
            self.tasks.spawn(
                async move {
                    // A handshake pushed out for a newer one, or still under way when shutdown
                    // begins, is dropped: no session starts then, and the drain does not wait.
                    let pending = tokio::select! {
                        pending = pending => pending,
                        () = pass.pushed_out() => return,
                        () = stopping.cancelled() => return,
                    };
                    drop(pass);
                    match pending {
                        Ok(transport) => server.serve_transport(transport, serializer, &peer),
                        Err(error) => debug!(%peer, %error, "transport handshake failed"),
                    }
                }
                .instrument(span),
            );
        }
    }

    /// Dials out with `establish` and serves a session on each connection, one at a time,
    /// until the server shuts down: the reversed-role set-up, where the server connects to a
    /// client (or a device forwarder) that listens. After a failure it dials again, waiting
    /// from half a second up to ten seconds between tries.
    pub async fn dial<E: Establish, F: SerializerFactory>(
        self: &Arc<Self>,
        mut establish: E,
        serializers: F,
    ) {
        let shutdown = self.shutdown_token();
        let mut backoff = MIN_REDIAL;
        // Only for the log: the URL may carry the access token.
        let target = redacted(&establish.describe());
        loop {
            let dialled = tokio::select! {
                dialled = establish.establish() => dialled,
                () = shutdown.cancelled() => break,
            };
            let wait = match dialled {
                Ok(transport) => {
                    info!(%target, "connected out");
                    let started = Instant::now();
                    let serializer = serializers.for_connection();
                    let format = serializer.name();
                    let link = FramedLink::new(transport, Arc::new(serializer));
                    self.run_link(link, &target, format).await;
                    // A session that lasted is a healthy peer: start over with short waits. One
                    // that ended at once (refused, full) must not turn into a tight loop.
                    if started.elapsed() >= MAX_REDIAL {
                        backoff = MIN_REDIAL;
                    }
                    backoff
                }
                Err(error) => {
                    warn!(%target, %error, retry_in_ms = backoff.as_millis() as u64, "could not connect out");
                    backoff
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => break,
            }
            backoff = (backoff * 2).min(MAX_REDIAL);
        }
    }

    fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.connections.clone().try_acquire_owned().ok()
    }

    /// Refuses every output command from then on, stops every device, closes every session
    /// and waits for them to finish, at most [`SHUTDOWN_DRAIN`]: a session or handshake that
    /// will not end is left behind (the caller exits anyway).
    pub async fn shutdown(&self) {
        self.devices.close();
        self.shutdown.cancel();
        self.tasks.close();
        if tokio::time::timeout(SHUTDOWN_DRAIN, self.tasks.wait())
            .await
            .is_err()
        {
            warn!(
                left = self.tasks.len(),
                "sessions did not end in time; leaving them behind"
            );
        }
        // Sessions stop what they drove as they end; this catches anything left, and waits
        // until the stops have reached the devices.
        self.devices.shutdown(SHUTDOWN_FLUSH).await;
    }
}

impl InProcessAcceptor for Server {
    fn accept_in_process(&self, end: InProcessServerEnd) {
        self.serve_link(end, "in-process", "values");
    }
}

//! The REST API, its server-sent events and the live device page (feature `rest`), served
//! beside every other listener over the server's device manager.
//!
//! Routes, under `/api/v1` (device and feature indexes as the v4 `DeviceList` gives them;
//! output and input types as the wire spells them, e.g. `Vibrate`, `Battery`; a level is a
//! fraction of the output's range, 0.0–1.0, or −1.0–1.0 where the range goes below zero):
//!
//! | route | what it does |
//! |---|---|
//! | `POST start-scanning`, `POST stop-scanning` | scan for devices |
//! | `GET devices` | every device keyed by index: `index`, `name`, `display_name`, `features`, `levels` |
//! | `GET devices/{i}`, `GET devices/{i}/features` | one device, its features |
//! | `PUT devices/stop`, `PUT devices/{i}/stop` | stop every output (of every device, or of one) |
//! | `PUT devices/{i}/outputs/{Type}/{level}` | that output on every feature that has it |
//! | `PUT devices/{i}/features/{f}/outputs/{Type}/{level}` | one feature's output (`?duration=MS` for a move) |
//! | `POST devices/{i}/inputs/{Type}`, `POST devices/{i}/features/{f}/inputs/{Type}` | read an input |
//! | `GET events` | server-sent events (see below) |
//!
//! Errors are `{"error": "...", "status": N}`: 404 for an unknown device, feature, output or
//! input, 400 for a value outside the range or a path that does not parse, 401 for a missing
//! token, 502 for a device that failed, 503 once the server is shutting down.
//!
//! A browser reaches loopback too, so every request must name this server in `Host`
//! (`localhost` or an IP address, on this port: 421 otherwise) and must not come from another
//! site's page (`Origin`, `Sec-Fetch-Site`: 403); nothing that acts on hardware is a `GET`, and
//! no answer may be framed.
//!
//! Peers are held to limits, each with a builder method on [`RestApi`] and a default here:
//! connections open at once ([`DEFAULT_MAX_CONNECTIONS`]; a newcomer closes the oldest that is
//! not mid-request), time to send a request head ([`DEFAULT_HEADER_TIMEOUT`]), time with no
//! byte moving ([`DEFAULT_IDLE_TIMEOUT`]), head size ([`DEFAULT_MAX_HEAD_BYTES`]), event streams
//! open at once ([`DEFAULT_MAX_SUBSCRIBERS`]; then 503), and the grace requests under way get
//! at shutdown ([`DEFAULT_SHUTDOWN_GRACE`]).
//!
//! Over TLS ([`RestApi::with_tls`]) it is HTTPS, with the certificates `wss://` takes: given
//! PEM files or one generated and kept. The TLS handshake runs inside the header timeout, so a
//! peer that never finishes it holds its place no longer than a silent one. `plugwire serve`
//! serves HTTPS by default beyond loopback: the access token must not cross the network in
//! clear.
//!
//! Every output set through the API belongs to one REST session: it lasts until a client
//! (any client) changes or stops it, `PUT devices/stop` or `PUT devices/{i}/stop`, or the
//! server shuts down; there is no timeout.
//!
//! ```no_run
//! # async fn run(server: std::sync::Arc<plugwire::Server>) -> Result<(), Box<dyn std::error::Error>> {
//! use plugwire::rest::RestApi;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:12346").await?;
//! RestApi::new(server).serve(listener).await?; // until the server shuts down
//! # Ok(()) }
//! ```

mod auth;
mod connection;
mod error;
mod events;
mod guard;
mod hub;
mod level;
mod limits;
mod listen;
mod page;
mod routes;
mod state;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};
use plugwire_core::TransportError;
use plugwire_core::access::AccessToken;
use plugwire_tls::{Fingerprint, ServerIdentity, TlsVersions};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, broadcast};
use tokio_rustls::TlsAcceptor;
use tokio_util::task::AbortOnDropHandle;
use tracing::{Instrument, info, info_span};

pub use error::ApiError;
pub use limits::{
    DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEAD_BYTES,
    DEFAULT_MAX_SUBSCRIBERS, DEFAULT_SHUTDOWN_GRACE, MIN_HEAD_BYTES,
};

use crate::server::Server;
use guard::Addressed;
use hub::EventHub;
use limits::Limits;
use state::RestState;

/// A REST API over a server's devices, ready to serve.
pub struct RestApi {
    server: Arc<Server>,
    access_token: Option<AccessToken>,
    tls: Option<Tls>,
    limits: Limits,
}

/// What an HTTPS API presents.
#[derive(Clone)]
struct Tls {
    acceptor: TlsAcceptor,
    fingerprint: Fingerprint,
}

/// Why the REST API could not serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestError {
    /// The listening socket failed.
    #[error("REST API listener failed")]
    Io(
        #[from]
        #[source]
        std::io::Error,
    ),
    /// The certificate or key cannot be used for TLS.
    #[error("REST API TLS set-up failed")]
    Tls(#[source] TransportError),
}

impl RestApi {
    /// The API over `server`'s device manager, with no access token.
    pub fn new(server: Arc<Server>) -> Self {
        Self {
            server,
            access_token: None,
            tls: None,
            limits: Limits::default(),
        }
    }

    /// Serves HTTPS (TLS 1.2 or 1.3, `http/1.1`), presenting `identity`: given PEM files
    /// ([`ServerIdentity::from_pem_files`]) or one generated and kept
    /// ([`ServerIdentity::load_or_generate`]), as for `wss://`. The handshake runs inside the
    /// header timeout, and a connection still in it counts against the connection cap as one
    /// that never completed a request head.
    pub fn with_tls(mut self, identity: &ServerIdentity) -> Result<Self, RestError> {
        let config = plugwire_tls::server_config(identity, TlsVersions::Tls12And13, &[b"http/1.1"])
            .map_err(RestError::Tls)?;
        self.tls = Some(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint: identity.fingerprint(),
        });
        Ok(self)
    }

    /// The fingerprint of the certificate an HTTPS API presents (`None` for plain HTTP).
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.tls.as_ref().map(|tls| tls.fingerprint)
    }

    /// Requires `token` of every request (`?token=` or `Authorization: Bearer`): for
    /// listeners beyond loopback.
    pub fn with_access_token(mut self, token: Option<AccessToken>) -> Self {
        self.access_token = token;
        self
    }

    /// At most `max` connections open at once (default [`DEFAULT_MAX_CONNECTIONS`]; at least
    /// 1). A newcomer beyond it closes the oldest connection that is not mid-request (one that
    /// never completed a request head first, then the longest idle); when every one is
    /// mid-request, the newcomer is closed at once.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }

    /// How long a peer has to send a whole request head (default [`DEFAULT_HEADER_TIMEOUT`]):
    /// a new connection from its accept, a kept-alive one from the first byte of its next
    /// request. A connection past it is closed. (Zero closes every connection at once;
    /// `Duration::MAX` never times out.)
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_timeout = timeout;
        self
    }

    /// How long a connection may go with no byte moving either way (default
    /// [`DEFAULT_IDLE_TIMEOUT`]): a kept-alive connection between requests, or a request whose
    /// peer stopped reading. Event streams carry a comment at least every half of it. Keep it
    /// above 10 s, the longest a command waits for its device.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// At most `max` `GET events` streams open at once (default [`DEFAULT_MAX_SUBSCRIBERS`]);
    /// the next is answered 503. 0 refuses every stream.
    pub fn max_subscribers(mut self, max: usize) -> Self {
        self.limits.max_subscribers = max;
        self
    }

    /// The largest request head in bytes (default [`DEFAULT_MAX_HEAD_BYTES`], at least
    /// [`MIN_HEAD_BYTES`]); a bigger one is answered 431.
    pub fn max_head_bytes(mut self, max: usize) -> Self {
        self.limits.max_head_bytes = max.max(MIN_HEAD_BYTES);
        self
    }

    /// How long requests under way when the server shuts down get to finish before their
    /// connections are closed (default [`DEFAULT_SHUTDOWN_GRACE`]).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.limits.shutdown_grace = grace;
        self
    }

    /// Serves on `listener` until the server shuts down, then lets requests under way finish
    /// (at most the shutdown grace) and stops what REST commands drove.
    pub async fn serve(self, listener: TcpListener) -> Result<(), RestError> {
        let devices = self.server.devices().clone();
        let session = self.server.new_session_id();
        let shutdown = self.server.shutdown_token();
        let limits = self.limits;
        let port = listener.local_addr()?.port();
        let span = info_span!("rest", session, address = ?listener.local_addr().ok());
        let (readings, _) = broadcast::channel(256);
        let (hub, sources) = EventHub::new(devices.clone(), &readings);
        let _hub = AbortOnDropHandle::new(tokio::spawn(
            hub.clone()
                .run(sources, shutdown.clone())
                .instrument(span.clone()),
        ));
        let state = Arc::new(RestState {
            devices: devices.clone(),
            session,
            shutdown: shutdown.clone(),
            readings,
            hub,
            subscribers: Arc::new(Semaphore::new(
                limits.max_subscribers.min(Semaphore::MAX_PERMITS),
            )),
            limits,
        });
        let token_required = self.access_token.is_some();
        let router = router(
            state,
            self.access_token,
            Addressed {
                port,
                token_required,
            },
        );
        let tls = self.tls.map(|tls| {
            info!(parent: &span, fingerprint = %tls.fingerprint, "REST API serving HTTPS");
            tls.acceptor
        });
        info!(
            parent: &span,
            max_connections = limits.max_connections,
            header_timeout_ms = limits.header_timeout.as_millis() as u64,
            idle_timeout_ms = limits.idle_timeout.as_millis() as u64,
            max_subscribers = limits.max_subscribers,
            "REST API serving"
        );
        listen::accept_loop(listener, tls, router, limits, shutdown)
            .instrument(span.clone())
            .await;
        // Whatever a REST command left running stops with the API.
        devices.release_session(session);
        info!(parent: &span, "REST API stopped");
        Ok(())
    }
}

/// Every route, the page, the token check when there is a token, and around all of it the
/// guard against other sites' pages.
fn router(state: Arc<RestState>, token: Option<AccessToken>, addressed: Addressed) -> Router {
    let api = Router::new()
        .route("/start-scanning", post(routes::start_scanning))
        .route("/stop-scanning", post(routes::stop_scanning))
        .route("/devices", get(routes::devices))
        .route("/devices/stop", put(routes::stop_all))
        .route("/devices/{i}", get(routes::device))
        .route("/devices/{i}/features", get(routes::features))
        .route("/devices/{i}/stop", put(routes::stop_device))
        .route(
            "/devices/{i}/outputs/{t}/{level}",
            put(routes::device_output),
        )
        .route(
            "/devices/{i}/features/{f}/outputs/{t}/{level}",
            put(routes::feature_output),
        )
        // Reads act on hardware: never a GET, which any page may cause with an <img>.
        .route("/devices/{i}/inputs/{t}", post(routes::device_input))
        .route(
            "/devices/{i}/features/{f}/inputs/{t}",
            post(routes::feature_input),
        )
        .route("/events", get(events::events))
        .fallback(routes::not_found);
    let router = Router::new()
        .route("/", get(page::page))
        .nest("/api/v1", api)
        .fallback(routes::not_found)
        .with_state(state);
    let router = match token {
        Some(token) => router.layer(axum::middleware::from_fn_with_state(
            Arc::new(token),
            auth::require_token,
        )),
        None => router,
    };
    router.layer(axum::middleware::from_fn_with_state(
        addressed,
        guard::guard,
    ))
}

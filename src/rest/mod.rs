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
mod error;
mod events;
mod guard;
mod level;
mod page;
mod routes;
mod state;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};
use plugwire_core::access::AccessToken;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tracing::{Instrument, info, info_span};

pub use error::ApiError;

use crate::server::Server;
use guard::Addressed;
use state::RestState;

/// A REST API over a server's devices, ready to serve.
pub struct RestApi {
    server: Arc<Server>,
    access_token: Option<AccessToken>,
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
}

impl RestApi {
    /// The API over `server`'s device manager, with no access token.
    pub fn new(server: Arc<Server>) -> Self {
        Self {
            server,
            access_token: None,
        }
    }

    /// Requires `token` of every request (`?token=` or `Authorization: Bearer`): for
    /// listeners beyond loopback.
    pub fn with_access_token(mut self, token: Option<AccessToken>) -> Self {
        self.access_token = token;
        self
    }

    /// Serves on `listener` until the server shuts down, then stops what REST commands drove.
    pub async fn serve(self, listener: TcpListener) -> Result<(), RestError> {
        let devices = self.server.devices().clone();
        let session = self.server.new_session_id();
        let shutdown = self.server.shutdown_token();
        let span = info_span!("rest", session, address = ?listener.local_addr().ok());
        let (readings, _) = broadcast::channel(256);
        let state = Arc::new(RestState {
            devices: devices.clone(),
            session,
            shutdown: shutdown.clone(),
            readings,
        });
        let port = listener.local_addr()?.port();
        let router = router(state, self.access_token, Addressed { port });
        info!(parent: &span, "REST API serving");
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .into_future()
            .instrument(span.clone())
            .await;
        // Whatever a REST command left running stops with the API.
        devices.release_session(session);
        info!(parent: &span, "REST API stopped");
        Ok(served?)
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

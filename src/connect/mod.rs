//! Connection URLs and what they become: a dialler or listener of any transport, a client
//! connector, and the serializer each connection speaks.
//!
//! - [`ConnectionUrl`]: one syntax for every transport, in both roles (`ws://`, `ipc://`,
//!   `quic://`), parsed and printed.
//! - [`AnyListener`] / [`AnyDialer`]: whichever transport a URL names, behind the core seams
//!   ([`Listener`](plugwire_core::Listener), [`Establish`](plugwire_core::Establish)), so the
//!   server and the forwarders take them like any other.
//! - [`Detect`]: per-connection serializer detection for the serving side.
//! - [`dial`] / [`listen`]: a client [`Connector`](plugwire_core::connector::Connector) for a URL.
//!
//! Depends on core, the transports and the serializers built in (cargo features); never on the
//! server or the devices. A URL naming a transport or serializer that is not built in is
//! refused with [`ConnectError::NotBuiltIn`].

#[cfg(any(feature = "websocket", feature = "ipc", feature = "quic"))]
mod any;
#[cfg(any(feature = "json", feature = "msgpack"))]
mod detect;
mod url;

use std::path::PathBuf;

#[cfg(any(feature = "websocket", feature = "ipc", feature = "quic"))]
pub use any::{AnyDialer, AnyListener};
#[cfg(any(feature = "json", feature = "msgpack"))]
pub use detect::{Detect, DetectingSerializer, kind_of};
use plugwire_core::TransportError;
pub use url::{Address, ConnectionUrl, SerializerKind, Tls, TlsTrust, UrlError};

/// Settings that are not part of a URL.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Where a QUIC listener keeps its generated certificate ([`default_data_dir`] when
    /// `None`).
    pub data_dir: Option<PathBuf>,
    /// WebSocket limits.
    #[cfg(feature = "websocket")]
    pub websocket: plugwire_websocket::WebSocketOptions,
    /// Local-socket limits.
    #[cfg(feature = "ipc")]
    pub ipc: plugwire_ipc::IpcOptions,
    /// QUIC limits and timers.
    #[cfg(feature = "quic")]
    pub quic: plugwire_quic::QuicOptions,
}

impl ConnectOptions {
    /// Sets the largest message every transport accepts.
    pub fn set_max_message_size(&mut self, bytes: usize) {
        #[cfg(feature = "websocket")]
        {
            self.websocket.max_message_size = bytes;
        }
        #[cfg(feature = "ipc")]
        {
            self.ipc.max_frame = bytes;
        }
        #[cfg(feature = "quic")]
        {
            self.quic.max_frame = bytes;
        }
        let _ = bytes;
    }
}

impl ConnectOptions {
    /// Sets how long a peer may be silent before its connection counts as dead, on every
    /// transport that watches for it (WebSocket pings; heartbeats between plugwire peers on
    /// local sockets; QUIC's idle timeout, with keep-alives well inside it). Zero turns it off.
    pub fn set_liveness_timeout(&mut self, window: std::time::Duration) {
        #[cfg(feature = "websocket")]
        {
            self.websocket.liveness_timeout = window;
        }
        #[cfg(feature = "ipc")]
        {
            self.ipc.liveness_timeout = window;
        }
        #[cfg(feature = "quic")]
        {
            self.quic.idle_timeout = window;
            if !window.is_zero() {
                self.quic.keep_alive = self.quic.keep_alive.min(window / 3);
            }
        }
        let _ = window;
    }
}

/// The per-user data directory: `$XDG_DATA_HOME/plugwire`, `~/.local/share/plugwire`, or
/// `%APPDATA%\plugwire`.
pub fn default_data_dir() -> PathBuf {
    let env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".local").join("share")))
        .or_else(|| env("APPDATA"))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("plugwire")
}

/// Why a URL could not be turned into a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL itself is wrong.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The URL names a transport or serializer this build of plugwire leaves out.
    #[error("{what} is not built into this plugwire (cargo feature `{feature}`)")]
    NotBuiltIn {
        /// What the URL asked for (`quic://`, `format=msgpack`).
        what: &'static str,
        /// The cargo feature that brings it.
        feature: &'static str,
    },
    /// The transport could not be set up (bind failed, bad certificate file, ...).
    #[error(transparent)]
    Transport(#[from] TransportError),
}

#[cfg(all(
    any(feature = "websocket", feature = "ipc", feature = "quic"),
    any(feature = "json", feature = "msgpack")
))]
mod connectors {
    use plugwire_core::connector::{Connector, RemoteConnector};
    use plugwire_core::{AcceptOne, Establish, Listener};

    use super::{AnyDialer, AnyListener, ConnectError, ConnectOptions, ConnectionUrl};
    use super::{SerializerKind, UrlError};

    /// A client connector that dials `url`.
    pub fn dial(
        url: &ConnectionUrl,
        options: &ConnectOptions,
    ) -> Result<Box<dyn Connector>, ConnectError> {
        connector(AnyDialer::new(url, options)?, url.serializer)
    }

    /// A client connector that dials the URL in `url` (a convenience for [`dial`] with default
    /// options): `Client::connect("my app", plugwire::connect::dial_url("ws://127.0.0.1:12345")?)`.
    pub fn dial_url(url: &str) -> Result<Box<dyn Connector>, ConnectError> {
        let url: ConnectionUrl = url.parse().map_err(|e: UrlError| ConnectError::Url(e))?;
        dial(&url, &ConnectOptions::default())
    }

    /// A client connector that listens on `url` and waits for a server to dial in (the
    /// reversed roles of a device forwarder). Returns it with what it listens on, to tell the
    /// server.
    pub async fn listen(
        url: &ConnectionUrl,
        options: &ConnectOptions,
    ) -> Result<(Box<dyn Connector>, String), ConnectError> {
        let listener = AnyListener::bind(url, options).await?;
        let description = listener.describe();
        Ok((connector(AcceptOne(listener), url.serializer)?, description))
    }

    /// A connector establishing with `establish`, speaking `serializer` (JSON when `None`).
    fn connector<E: Establish>(
        establish: E,
        serializer: Option<SerializerKind>,
    ) -> Result<Box<dyn Connector>, ConnectError> {
        Ok(match serializer.unwrap_or(SerializerKind::DEFAULT) {
            #[cfg(feature = "json")]
            SerializerKind::Json => Box::new(RemoteConnector::new(
                establish,
                plugwire_json::JsonSerializer,
            )),
            #[cfg(feature = "msgpack")]
            SerializerKind::Msgpack => Box::new(RemoteConnector::new(
                establish,
                plugwire_msgpack::MsgpackSerializer,
            )),
            #[allow(unreachable_patterns)]
            other => return Err(other.not_built_in()),
        })
    }
}

#[cfg(all(
    any(feature = "websocket", feature = "ipc", feature = "quic"),
    any(feature = "json", feature = "msgpack")
))]
pub use connectors::{dial, dial_url, listen};

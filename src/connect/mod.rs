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
#[cfg(all(
    any(feature = "websocket", feature = "ipc", feature = "quic"),
    any(feature = "json", feature = "msgpack")
))]
mod dial;
mod error;
mod options;
mod url;

#[cfg(any(feature = "websocket", feature = "ipc", feature = "quic"))]
pub use any::{AnyDialer, AnyListener};
#[cfg(any(feature = "json", feature = "msgpack"))]
pub use detect::{Detect, DetectingSerializer, kind_of};
pub use error::ConnectError;
pub use options::{ConnectOptions, default_data_dir};
pub use url::{Address, ConnectionUrl, SerializerKind, Tls, TlsTrust, UrlError};

#[cfg(all(
    any(feature = "websocket", feature = "ipc", feature = "quic"),
    any(feature = "json", feature = "msgpack")
))]
pub use dial::{dial, dial_url, listen};

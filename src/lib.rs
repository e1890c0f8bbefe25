//! plugwire: carry the Buttplug intimate-hardware control protocol between apps and devices,
//! over any transport, in any serialization, in either connection direction.
//!
//! This facade re-exports the layers and holds the client, the server and the devices:
//!
//! | module / crate | what it is |
//! |---|---|
//! | [`core`] (`plugwire-core`) | messages (v0–v4), errors, `Frame`, `Transport`, `Serializer`, connectors |
//! | [`client`] | [`Client`]: handshake, devices, events, pings, reconnect |
//! | [`server`] | [`Server`]: many sessions over one device manager |
//! | [`device`] | [`DeviceManager`] and simulated devices |
//! | [`url`] | connection URLs: `ws://`, `ipc://`, `quic://` |
//! | `endpoint` | URLs to connectors, listeners and diallers (needs all default features) |
//! | [`websocket`] (feature `websocket`) | WebSocket client and server transport |
//! | [`ipc`] (feature `ipc`) | Unix domain sockets and Windows named pipes |
//! | [`quic`] (feature `quic`) | QUIC with pinned or CA-verified certificates |
//! | [`json`] (feature `json`) | JSON serializer |
//! | [`msgpack`] (feature `msgpack`) | MessagePack serializer (named fields) |
//!
//! Cargo features (additive, all on by default): `websocket`, `ipc`, `quic`, `json`,
//! `msgpack`. The server detects each connection's serializer when both are on.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use plugwire::{Client, RemoteConnector};
//! use plugwire::json::JsonSerializer;
//! use plugwire::websocket::{WebSocketDialer, WebSocketOptions};
//!
//! let dialer = WebSocketDialer::new("ws://127.0.0.1:12345", WebSocketOptions::default())?;
//! let client = Client::connect("my app", RemoteConnector::new(dialer, JsonSerializer)).await?;
//! for device in client.devices() {
//!     device.vibrate(0.5).await.ok();
//! }
//! client.stop_all().await?;
//! client.disconnect().await?;
//! # Ok(()) }
//! ```

pub mod client;
pub mod device;
#[cfg(all(
    feature = "websocket",
    feature = "ipc",
    feature = "quic",
    feature = "json"
))]
pub mod endpoint;
pub mod server;
pub mod url;

pub use client::{Client, ClientError, ClientEvent, Device};
pub use device::DeviceManager;
pub use plugwire_core as core;
pub use plugwire_core::connector::{Connector, InProcessConnector, RemoteConnector};
pub use server::{Server, ServerConfig, SessionConfig};

/// The local-socket transport: Unix sockets, named pipes (feature `ipc`).
#[cfg(feature = "ipc")]
pub use plugwire_ipc as ipc;
/// The JSON serializer (feature `json`).
#[cfg(feature = "json")]
pub use plugwire_json as json;
/// The MessagePack serializer (feature `msgpack`).
#[cfg(feature = "msgpack")]
pub use plugwire_msgpack as msgpack;
/// The QUIC transport (feature `quic`).
#[cfg(feature = "quic")]
pub use plugwire_quic as quic;
/// The WebSocket transport (feature `websocket`).
#[cfg(feature = "websocket")]
pub use plugwire_websocket as websocket;

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

//! plugwire: carry the Buttplug intimate-hardware control protocol between apps and devices,
//! over any transport, in any serialization, in either connection direction.
//!
//! This facade composes the member crates; it holds no device or transport code of its own:
//!
//! | module / crate | what it is |
//! |---|---|
//! | [`core`] (`plugwire-core`) | messages (v0–v4), errors, `Frame`, `Transport`, `Serializer`, connectors |
//! | [`devices`] (`plugwire-devices`) | [`DeviceManager`], device database, protocols, scheduler, simulated devices |
//! | [`client`] | [`Client`]: handshake, devices, events, pings, reconnect |
//! | [`server`] | [`Server`]: many sessions over one device manager |
//! | [`connect`] | connection URLs (`ws://`, `ipc://`, `quic://`) to listeners, diallers and connectors |
//! | [`forward`] | device forwarders: a remote plugwire server's devices joining this one's |
//! | [`rest`] (feature `rest`) | the REST API, its server-sent events and the live device page |
//! | [`ble`] (feature `ble`) | Bluetooth LE hardware manager |
//! | [`serial`] (feature `serial`) | serial-port hardware manager (TCode strokers and others) |
//! | [`device_websocket`] (feature `device-websocket`) | the device WebSocket server: devices dial in |
//! | [`websocket`], [`ipc`], [`quic`] (features of those names) | transports |
//! | [`json`], [`msgpack`] (features of those names) | serializers |
//!
//! Cargo features (additive, all on by default): `websocket`, `ipc`, `quic` (transports),
//! `json`, `msgpack` (serializers), `ble` (Bluetooth LE), `serial` (serial ports),
//! `device-websocket` (the device WebSocket server), `mdns` (announcing listeners), `rest` (the
//! REST API and device page), `cli` (the `plugwire` program). Any
//! combination builds; connection URLs work for the transports built in. The server detects
//! each connection's serializer among those built in.
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
pub mod connect;
pub mod forward;
#[cfg(feature = "mdns")]
pub mod mdns;
#[cfg(feature = "rest")]
pub mod rest;
pub mod server;

pub use client::{Client, ClientError, ClientEvent, Device};
pub use plugwire_core as core;
pub use plugwire_core::access::{AccessToken, InvalidToken};
pub use plugwire_core::connector::{Connector, InProcessConnector, RemoteConnector};
pub use plugwire_devices as devices;
pub use plugwire_devices::DeviceManager;
pub use server::{Server, ServerConfig, SessionConfig};

/// The Bluetooth LE hardware manager (feature `ble`).
#[cfg(feature = "ble")]
pub use plugwire_ble as ble;
/// The device WebSocket server, where devices dial in (feature `device-websocket`).
#[cfg(feature = "device-websocket")]
pub use plugwire_device_websocket as device_websocket;
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
/// The serial-port hardware manager (feature `serial`).
#[cfg(feature = "serial")]
pub use plugwire_serial as serial;
/// Certificates, trust and access tokens of the network transports and the REST API (features
/// `websocket`, `quic`, `rest`, `cli`).
#[cfg(any(
    feature = "websocket",
    feature = "quic",
    feature = "rest",
    feature = "cli"
))]
pub use plugwire_tls as tls;
/// The WebSocket transport (feature `websocket`).
#[cfg(feature = "websocket")]
pub use plugwire_websocket as websocket;

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The Rust example of docs/transports.md (dialling any connection URL), compiled as a doctest
/// so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../docs/transports.md")]
pub struct TransportsDoctests;

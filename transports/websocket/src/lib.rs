//! plugwire-websocket: WebSocket transport on tokio-tungstenite.
//!
//! Both roles yield the same [`WebSocketTransport`]: [`WebSocketDialer`] dials a `ws://` or
//! `wss://` URL, [`WebSocketListener`] binds an address and accepts many connections, plain or
//! over TLS ([`WebSocketListener::bind_secure`]). Text frames carry
//! [`Frame::Text`](plugwire_core::Frame::Text), binary frames
//! [`Frame::Binary`](plugwire_core::Frame::Binary). A message over the configured maximum is
//! refused with Close code 1009 (message too big), never a reset.
//!
//! Depends on `plugwire-core` and `plugwire-tls` (rustls with ring).

mod access;
mod dialer;
mod listener;
mod options;
mod stream;
mod transport;

pub use dialer::WebSocketDialer;
pub use listener::{PendingWebSocket, WebSocketListener};
pub use options::WebSocketOptions;
pub use plugwire_tls::{Fingerprint, ServerIdentity, ServerTrust};
pub use transport::WebSocketTransport;

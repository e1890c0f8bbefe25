//! plugwire-websocket: WebSocket transport on tokio-tungstenite.
//!
//! Both roles yield the same [`WebSocketTransport`]: [`WebSocketDialer`] dials a `ws://` URL,
//! [`WebSocketListener`] binds an address and accepts many connections. Text frames carry
//! [`Frame::Text`](plugwire_core::Frame::Text), binary frames
//! [`Frame::Binary`](plugwire_core::Frame::Binary). A message over the configured maximum is
//! refused with Close code 1009 (message too big), never a reset.
//!
//! Depends on `plugwire-core` only.

mod access;
mod dialer;
mod listener;
mod options;
mod transport;

pub use access::{AccessToken, InvalidToken};
pub use dialer::WebSocketDialer;
pub use listener::{PendingWebSocket, WebSocketListener};
pub use options::WebSocketOptions;
pub use transport::WebSocketTransport;

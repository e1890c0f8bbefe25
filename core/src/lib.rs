//! plugwire-core: the Buttplug protocol's messages, the errors of each layer, and the seams
//! that transports and serializers plug into.
//!
//! - [`message`]: canonical spec v4 messages, the wire forms of v0–v3, conversions.
//! - [`Frame`], [`Transport`], [`Establish`], [`Listener`]: what a transport is and how one is
//!   made, in either role; [`BoxTransport`] for a kind chosen at run time.
//! - [`Serializer`]: batches of messages to frames and back; [`SerializerFactory`] makes one
//!   per connection.
//! - [`connector`]: [`connector::RemoteConnector`] (a transport plus a serializer) and
//!   [`connector::InProcessConnector`] (no serialization), both yielding a
//!   [`connector::Connection`] that matches replies to requests by Id.
//!
//! - [`sync`]: the one mutex plugwire locks with (it cannot poison).
//! - [`log_limit`]: log lines a stranger can cause, bounded in time and length.
//! - [`room`]: room for connections not yet proved, the oldest pushed out when it is full.
//! - [`template`]: batches encoded once and resent with only their Id changed.
//!
//! Depends on nothing of plugwire's. Transports, serializers and the devices crate depend on
//! this crate only, never on each other.

pub mod access;
pub mod connector;
mod error;
mod frame;
pub mod framing;
pub mod link;
pub mod log_limit;
pub mod message;
pub mod room;
mod serializer;
pub mod sync;
pub mod template;
mod transport;

pub use error::{ConnectorError, ErrorCode, ErrorReply, SerializeError, TransportError};
pub use frame::Frame;
pub use serializer::{Decoded, EncodedId, Outgoing, Serializer, SerializerFactory};
pub use transport::{AcceptOne, BoxTransport, Establish, Listener, Transport, url_escape};

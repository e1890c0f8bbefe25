//! Connectors: what a client talks through. Each yields a [`Connection`] that numbers
//! requests, matches replies by Id, delivers server events, and fails every request in flight
//! the moment the link drops.

mod connection;
mod in_process;
mod remote;

pub use connection::{Connection, ConnectionEvent, RequestSender};
pub use in_process::{InProcessAcceptor, InProcessConnector, InProcessServerEnd, in_process_pair};
pub use remote::RemoteConnector;

use futures::future::BoxFuture;

use crate::ConnectorError;

/// Makes client connections; kept by the client so it can reconnect.
pub trait Connector: Send + Sync + 'static {
    /// Opens a fresh connection (no handshake yet: that is the client's job).
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>>;

    /// Where this connects, for logs.
    fn describe(&self) -> String;
}

impl<C: Connector + ?Sized> Connector for Box<C> {
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>> {
        (**self).connect()
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

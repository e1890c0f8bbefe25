//! Why the device WebSocket server could not start, or a connection could not become a device.

use std::net::SocketAddr;

/// A failure of the device WebSocket server or of one device's connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceWebSocketError {
    /// The listening socket could not be opened (address in use, no permission).
    #[error("device WebSocket server: cannot listen on {address}")]
    Bind {
        /// Where it tried.
        address: SocketAddr,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The WebSocket upgrade failed (not WebSocket, or the connection broke).
    #[error("the WebSocket upgrade failed")]
    Upgrade(#[source] tokio_tungstenite::tungstenite::Error),
    /// The access token was wrong or missing (the upgrade was answered with HTTP 401).
    #[error("wrong or missing access token")]
    AccessToken,
    /// Nothing identified the connection in time.
    #[error("no identification frame within {0:?}")]
    IdentifyTimeout(std::time::Duration),
    /// The connection closed before identifying itself.
    #[error("the connection closed before identifying itself")]
    ClosedEarly,
    /// The first frame was not an identification.
    #[error("the first frame is not an identification ({{\"identifier\":..,\"address\":..}})")]
    BadIdentification(#[source] serde_json::Error),
    /// The first frame was binary, not the text identification.
    #[error("the first frame is binary; a device identifies itself in a text frame")]
    BinaryIdentification,
    /// No `websocket` entry of the device configuration has this identifier.
    #[error(
        "no protocol has a `websocket` entry named {0:?}; add one to a user device configuration"
    )]
    UnknownIdentifier(String),
}

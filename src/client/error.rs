//! The client's typed errors.

use plugwire_core::message::{InputType, OutputType};
use plugwire_core::{ConnectorError, ErrorReply};

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The connection failed or is gone.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The server answered with an Error.
    #[error("server refused: {0}")]
    Server(#[from] ErrorReply),
    /// The server answered with a message that does not fit the request.
    #[error("unexpected reply from the server: {0}")]
    UnexpectedReply(String),
    /// Not connected (never connected, or disconnected and not reconnected).
    #[error("not connected")]
    NotConnected,
    /// No device with this index is known.
    #[error("no device with index {0}")]
    UnknownDevice(u32),
    /// The device has no feature with that output.
    #[error("device {device} has no {output:?} output")]
    NoSuchOutput {
        /// Device index.
        device: u32,
        /// Output asked for.
        output: OutputType,
    },
    /// The device has no feature with that input.
    #[error("device {device} has no {input:?} input")]
    NoSuchInput {
        /// Device index.
        device: u32,
        /// Input asked for.
        input: InputType,
    },
    /// The server did not answer in time.
    #[error("the server did not answer {0} in time")]
    Timeout(&'static str),
    /// A level outside 0.0–1.0 was given.
    #[error("level {0} is outside 0.0 to 1.0")]
    InvalidLevel(f64),
}

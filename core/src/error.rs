//! Errors of each layer: the protocol's own error (it travels on the wire), and the errors of
//! transports, serializers and connectors (they stay in the process, with their sources).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The protocol's error classes, as numbered on the wire.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum ErrorCode {
    /// 0: anything else.
    Unknown,
    /// 1: handshake or initialisation (first message, versions, second handshake).
    Handshake,
    /// 2: ping deadline missed, or ping sent with ping disabled.
    Ping,
    /// 3: malformed or unknown message, bad field.
    Message,
    /// 4: device error (no such device or feature, value out of range, hardware failure).
    Device,
}

impl From<ErrorCode> for u32 {
    fn from(code: ErrorCode) -> u32 {
        match code {
            ErrorCode::Unknown => 0,
            ErrorCode::Handshake => 1,
            ErrorCode::Ping => 2,
            ErrorCode::Message => 3,
            ErrorCode::Device => 4,
        }
    }
}

impl TryFrom<u32> for ErrorCode {
    type Error = String;
    fn try_from(code: u32) -> Result<Self, String> {
        Ok(match code {
            0 => Self::Unknown,
            1 => Self::Handshake,
            2 => Self::Ping,
            3 => Self::Message,
            4 => Self::Device,
            other => return Err(format!("unknown error code {other}")),
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Unknown => "unknown error",
            Self::Handshake => "handshake error",
            Self::Ping => "ping error",
            Self::Message => "message error",
            Self::Device => "device error",
        };
        write!(f, "{name} (code {})", u32::from(*self))
    }
}

/// The Buttplug protocol's `Error` reply: a code and a message (what a request that failed is
/// answered with).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ErrorReply {
    /// The error class.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ErrorReply {
    /// An error reply of `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Code 3: malformed, unknown or unsupported message.
    pub fn message(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Message, message)
    }

    /// Code 4: device, feature or value problem.
    pub fn device(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Device, message)
    }

    /// Code 1: handshake problem.
    pub fn handshake(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Handshake, message)
    }
}

/// A transport failed to establish, send or receive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Dialling or accepting failed.
    #[error("could not establish a connection to {peer}")]
    Connect {
        /// Address or name of the other end.
        peer: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A listener could not be set up (its address is taken, its directory is missing, it is
    /// not allowed): it never listened.
    #[error("could not listen on {address}")]
    Listen {
        /// The address or name it was to listen on.
        address: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A frame larger than the configured maximum arrived; the peer has been told.
    #[error("frame of {size} bytes exceeds the maximum of {max} bytes")]
    FrameTooLarge {
        /// Size of the refused frame, if known (0 when the transport stopped reading early).
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The other end closed the connection.
    #[error("connection closed by peer")]
    Closed,
    /// I/O or protocol failure on an open connection.
    #[error("transport failure")]
    Io(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A frame that breaks the transport's own rules (invalid UTF-8 in a WebSocket text frame).
    #[error("invalid frame: {0}")]
    InvalidFrame(String),
    /// The other end did not keep up (stopped reading, never finished a handshake).
    #[error("timed out {what}")]
    TimedOut {
        /// What took too long.
        what: &'static str,
    },
    /// The configuration given cannot work (bad address, bad URL).
    #[error("invalid transport configuration: {0}")]
    Config(String),
    /// Nothing at all (no message, no answer to a ping) came from the peer for the liveness
    /// window: the link is dead even if the socket is open (a relay or NAT that dropped it, a
    /// frozen host).
    #[error("nothing heard from the peer for {0:?}")]
    Silent(std::time::Duration),
}

impl TransportError {
    /// Wraps any error as an I/O failure on an open connection.
    pub fn io(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Io(Box::new(error))
    }
}

/// A serializer could not encode a batch or decode a frame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SerializeError {
    /// The frame is not well-formed in this format.
    #[error("malformed frame")]
    Malformed {
        /// The Id of the request, if it could still be read.
        id: Option<u32>,
        /// The format's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The frame is well-formed but is not an array of messages.
    #[error("a frame must hold an array of messages")]
    NotABatch {
        /// The Id of the request, if the single message's Id could be read.
        id: Option<u32>,
    },
    /// The frame holds an array with no messages.
    #[error("a frame must hold at least one message")]
    EmptyBatch,
    /// A frame of the wrong kind (binary for a text format, or the reverse).
    #[error("expected a {expected} frame, got a {got} frame")]
    WrongFrameKind {
        /// Kind the serializer handles.
        expected: &'static str,
        /// Kind that arrived.
        got: &'static str,
    },
    /// A frame in another serialization than the connection speaks.
    #[error("this connection speaks {expected}; a frame in {got} was refused")]
    WrongFormat {
        /// The connection's serialization.
        expected: &'static str,
        /// What the frame looked like.
        got: &'static str,
        /// The Id of the frame's first request, read in the frame's own serialization.
        id: Option<u32>,
    },
    /// A first frame that is neither JSON nor MessagePack.
    #[error(
        "the frame is neither JSON (text, or bytes starting with '[') nor MessagePack (an array)"
    )]
    UnknownFormat,
    /// A value could not be encoded.
    #[error("could not encode a message")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl SerializeError {
    /// The request Id the error can be tied to, if any.
    pub fn request_id(&self) -> Option<u32> {
        match self {
            Self::Malformed { id, .. } | Self::NotABatch { id } | Self::WrongFormat { id, .. } => {
                *id
            }
            _ => None,
        }
    }
}

/// A connector could not carry a request or its reply.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// Establishing the link failed.
    #[error("could not connect")]
    Connect(#[source] TransportError),
    /// The link dropped; every request in flight fails with this.
    #[error("the connection was lost")]
    Disconnected(#[source] Option<std::sync::Arc<TransportError>>),
    /// The connection is closed (by this side) or was never opened.
    #[error("not connected")]
    NotConnected,
    /// An outgoing message could not be encoded.
    #[error("could not encode a message")]
    Serialize(#[source] SerializeError),
    /// An outgoing batch is larger than the transport allows; it was not sent, the link is fine.
    #[error("message too large for the transport")]
    Oversized(#[source] TransportError),
}

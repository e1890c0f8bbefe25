//! `Frame`: one whole message unit as a transport carries it.

use bytes::Bytes;

/// One frame: text (JSON on WebSocket) or binary (MessagePack, length-delimited streams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// UTF-8 text. Whoever makes one guarantees the UTF-8: transports check what they
    /// receive, serializers write text, and transports send it as given.
    Text(Bytes),
    /// Arbitrary bytes.
    Binary(Bytes),
}

impl Frame {
    /// The frame's bytes, whatever its kind.
    pub fn bytes(&self) -> &Bytes {
        match self {
            Self::Text(b) | Self::Binary(b) => b,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes().len()
    }

    /// Whether the frame carries no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// `"text"` or `"binary"`, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Binary(_) => "binary",
        }
    }
}

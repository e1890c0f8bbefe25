//! The serializer seam: a batch of messages to one frame and back, knowing nothing of sockets.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Frame, SerializeError};

/// Turns batches of messages into frames and frames into batches.
///
/// Generic over the message type, so the spec version is chosen by the session, not by the
/// serializer. A frame may hold several batches back to back; `decode` returns them joined.
pub trait Serializer: Send + Sync + 'static {
    /// Encodes `batch` as one frame.
    fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError>;

    /// Decodes every message in `frame`.
    fn decode<M: DeserializeOwned>(&self, frame: &Frame) -> Result<Vec<M>, SerializeError>;

    /// A short name for logs ("json", "msgpack").
    fn name(&self) -> &'static str;
}

//! The serializer seam: a batch of messages to one frame and back, knowing nothing of sockets.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::message::id::MessageId;
use crate::{Frame, SerializeError};

/// The messages of one frame, and what went wrong after them, if anything.
#[derive(Debug)]
pub struct Decoded<M> {
    /// Messages decoded, in order.
    pub messages: Vec<M>,
    /// Why the rest of the frame (or all of it) could not be decoded.
    pub error: Option<SerializeError>,
}

impl<M> Decoded<M> {
    /// All messages, or the error if there was one.
    pub fn into_result(self) -> Result<Vec<M>, SerializeError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.messages),
        }
    }

    /// A frame that did not decode at all.
    pub fn failed(error: SerializeError) -> Self {
        Self {
            messages: Vec::new(),
            error: Some(error),
        }
    }

    /// A frame that decoded completely.
    pub fn complete(messages: Vec<M>) -> Self {
        Self {
            messages,
            error: None,
        }
    }
}

/// Turns batches of messages into frames and frames into batches.
///
/// Generic over the message type, so the spec version is chosen by the session, not by the
/// serializer. A frame may hold several batches back to back; `decode` returns them joined.
pub trait Serializer: Send + Sync + 'static {
    /// Encodes `batch` as one frame.
    fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError>;

    /// Decodes every message in `frame`. What decodes before a fault is kept, so a server can
    /// still answer those messages and then report the fault.
    fn decode<M: DeserializeOwned>(&self, frame: &Frame) -> Decoded<M>;

    /// A short name for logs ("json", "msgpack"). Two serializers with the same name encode
    /// alike (encodings are cached by it: [`crate::template::Templates`]).
    fn name(&self) -> &'static str;

    /// The bytes `id` takes inside this serializer's encoding of a message, so a batch encoded
    /// once can be sent again with another Id ([`crate::template::IdTemplate`]). `None`, the
    /// default, where there is no such fixed form: batches are then encoded in full each time.
    fn encode_id(&self, id: MessageId) -> Option<EncodedId> {
        let _ = id;
        None
    }
}

/// A message Id as a serializer writes it, held inline: made for every reply sent from a
/// template, so it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedId {
    bytes: [u8; EncodedId::CAPACITY],
    len: u8,
}

impl EncodedId {
    /// Most bytes an Id may take (JSON's longest `u32` takes 10, MessagePack's 5).
    pub const CAPACITY: usize = 16;

    /// What `write` puts into an empty buffer of [`Self::CAPACITY`] bytes; `None` when it
    /// fails (as it does when it needs more room).
    pub fn write<E>(write: impl FnOnce(&mut &mut [u8]) -> Result<(), E>) -> Option<Self> {
        let mut bytes = [0; Self::CAPACITY];
        let mut room = &mut bytes[..];
        write(&mut room).ok()?;
        let len = Self::CAPACITY - room.len();
        Some(Self {
            bytes,
            len: u8::try_from(len).ok()?,
        })
    }

    /// The Id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A message type that links send. A batch is encoded in full unless the type knows a
/// cheaper way to the same bytes: server replies reuse the encoding of a device list shared
/// between requests.
pub trait Outgoing: Serialize + Sized {
    /// One frame holding `batch`, exactly as [`Serializer::encode`] would make it.
    fn encode_batch<S: Serializer>(
        serializer: &S,
        batch: &[Self],
    ) -> Result<Frame, SerializeError> {
        serializer.encode(batch)
    }
}

/// Makes the serializer for each new connection: a fixed one, or one that detects what each
/// connection speaks.
pub trait SerializerFactory: Send + Sync + 'static {
    /// The serializer made.
    type Serializer: Serializer;

    /// A serializer for one new connection.
    fn for_connection(&self) -> Self::Serializer;
}

/// A stateless serializer serves every connection as it is.
impl<S: Serializer + Clone> SerializerFactory for S {
    type Serializer = S;

    fn for_connection(&self) -> S {
        self.clone()
    }
}

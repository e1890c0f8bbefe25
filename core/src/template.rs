//! Encodings made once and sent many times with only the message Id changed.
//!
//! A server answers every `RequestDeviceList` with the same devices; only the Id differs.
//! Encoding the devices again for each request was the largest part of a reply's cost, so the
//! batch is encoded once per serializer, split around its Id, and each reply is the two halves
//! with the new Id's bytes between them.

use bytes::{Bytes, BytesMut};
use serde::Serialize;

use crate::message::MessageId;
use crate::sync::Mutex;
use crate::{Frame, SerializeError, Serializer};

/// Ids written while making a template. They only ever appear in the template's own trial
/// encodings, never on the wire; two of them, so the split is checked by rebuilding one
/// encoding from the other's halves.
const MARKER: MessageId = 0xFFFF_FFFE;
const CHECK: MessageId = 0xFFFF_FFFD;

/// One batch encoded once and split around its Id: the bytes before it, the bytes after it.
#[derive(Debug)]
pub struct IdTemplate {
    text: bool,
    before: Bytes,
    after: Bytes,
}

impl IdTemplate {
    /// Encodes `batch(id)` once with `serializer` and splits it around the Id. The Id must be
    /// the first number the encoding holds (so it is found before any other), as it is in
    /// every Buttplug message. `None` when the serializer cannot write an Id on its own
    /// ([`Serializer::encode_id`]) or the split does not rebuild the encoding exactly.
    pub fn new<S: Serializer, M: Serialize>(
        serializer: &S,
        batch: impl Fn(MessageId) -> Vec<M>,
    ) -> Result<Option<Self>, SerializeError> {
        let Some(marker) = serializer.encode_id(MARKER) else {
            return Ok(None);
        };
        let encoded = serializer.encode(&batch(MARKER))?;
        let bytes = encoded.bytes();
        let Some(at) = bytes
            .windows(marker.len())
            .position(|window| window == marker.as_slice())
        else {
            return Ok(None);
        };
        let template = Self {
            text: matches!(encoded, Frame::Text(_)),
            before: bytes.slice(..at),
            after: bytes.slice(at + marker.len()..),
        };
        let check = serializer.encode(&batch(CHECK))?;
        Ok((template.frame(serializer, CHECK).as_ref() == Some(&check)).then_some(template))
    }

    /// The batch with `id` in it, exactly as `serializer` would encode it.
    pub fn frame<S: Serializer>(&self, serializer: &S, id: MessageId) -> Option<Frame> {
        Some(self.frame_with(&serializer.encode_id(id)?))
    }

    /// The batch with an Id already encoded (by [`Serializer::encode_id`]) in it.
    fn frame_with(&self, id: &[u8]) -> Frame {
        let mut bytes = BytesMut::with_capacity(self.before.len() + id.len() + self.after.len());
        bytes.extend_from_slice(&self.before);
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&self.after);
        let bytes = bytes.freeze();
        if self.text {
            Frame::Text(bytes)
        } else {
            Frame::Binary(bytes)
        }
    }
}

/// The templates of one batch, one per serializer (by [`Serializer::name`]), each made the
/// first time that serializer sends the batch. Shared by every session sending it.
#[derive(Debug, Default)]
pub struct Templates(Mutex<Vec<Made>>);

/// A serializer's name and what making its template gave (`None`: it cannot use one).
type Made = (&'static str, Option<IdTemplate>);

impl Templates {
    /// The batch with `id` in it, from the template for `serializer`, made now if it is the
    /// first time. `None` when the serializer cannot use a template (encode in full instead).
    pub fn frame<S: Serializer, M: Serialize>(
        &self,
        serializer: &S,
        id: MessageId,
        batch: impl Fn(MessageId) -> Vec<M>,
    ) -> Result<Option<Frame>, SerializeError> {
        // A serializer that cannot write an Id now (one still detecting its format) may be
        // able to later under the same name: nothing is made or remembered for it.
        let Some(encoded_id) = serializer.encode_id(id) else {
            return Ok(None);
        };
        let name = serializer.name();
        // Spliced under the lock: cheaper than counting a reference up and down per reply.
        if let Some((_, known)) = self.0.lock().iter().find(|(known, _)| *known == name) {
            return Ok(known
                .as_ref()
                .map(|template| template.frame_with(&encoded_id)));
        }
        // Made outside the lock; two sessions racing make it twice, harmlessly.
        let made = IdTemplate::new(serializer, batch)?;
        let frame = made
            .as_ref()
            .map(|template| template.frame_with(&encoded_id));
        let mut templates = self.0.lock();
        if !templates.iter().any(|(known, _)| *known == name) {
            templates.push((name, made));
        }
        Ok(frame)
    }
}

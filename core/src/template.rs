//! Encodings made once and sent many times with only the message Id changed.
//!
//! A server answers every `RequestDeviceList` with the same devices; only the Id differs.
//! Encoding the devices again for each request was the largest part of a reply's cost, so the
//! batch is encoded once per serializer, split around its Id, and each reply is the two halves
//! with the new Id's bytes between them.

use std::sync::OnceLock;

use bytes::{Bytes, BytesMut};
use serde::Serialize;

use crate::message::id::MessageId;
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
        let marker = marker.as_bytes();
        let Some(at) = bytes
            .windows(marker.len())
            .position(|window| window == marker)
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
        Some(self.frame_with(serializer.encode_id(id)?.as_bytes()))
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
/// first time that serializer sends the batch. Shared by every session sending it, and read
/// without a lock: every reply of every session looks here.
#[derive(Debug, Default)]
pub struct Templates([OnceLock<Made>; SERIALIZERS]);

/// Serializers (by name) whose templates a batch keeps: plugwire has two. Beyond that, a
/// batch is encoded in full.
const SERIALIZERS: usize = 4;

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
        for slot in &self.0 {
            match slot.get() {
                Some((known, made)) if *known == name => {
                    return Ok(made
                        .as_ref()
                        .map(|template| template.frame_with(encoded_id.as_bytes())));
                }
                Some(_) => continue,
                None => {
                    let made = IdTemplate::new(serializer, batch)?;
                    let frame = made
                        .as_ref()
                        .map(|template| template.frame_with(encoded_id.as_bytes()));
                    // Another session may have filled the slot meanwhile: its template is as
                    // good (or, for another serializer, this one is made again next time).
                    let _ = slot.set((name, made));
                    return Ok(frame);
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decoded, EncodedId};

    /// JSON under any name, as a serializer of another format would be told apart.
    struct Named(&'static str);

    impl Serializer for Named {
        fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError> {
            serde_json::to_vec(batch)
                .map(|bytes| Frame::Text(bytes.into()))
                .map_err(|error| SerializeError::Encode(Box::new(error)))
        }

        fn decode<M: serde::de::DeserializeOwned>(&self, _: &Frame) -> Decoded<M> {
            Decoded::failed(SerializeError::UnknownFormat)
        }

        fn name(&self) -> &'static str {
            self.0
        }

        fn encode_id(&self, id: MessageId) -> Option<EncodedId> {
            EncodedId::write(|room| serde_json::to_writer(room, &id))
        }
    }

    fn batch(id: MessageId) -> Vec<serde_json::Value> {
        vec![serde_json::json!({ "DeviceList": { "Id": id, "Devices": {} } })]
    }

    #[test]
    fn each_serializer_gets_its_own_template_until_the_slots_run_out() {
        const NAMES: [&str; SERIALIZERS + 1] = ["a", "b", "c", "d", "e"];
        let templates = Templates::default();
        for round in 1..=2 {
            for (at, name) in NAMES.into_iter().enumerate() {
                let id = 40 + round * 10 + u32::try_from(at).expect("small");
                let frame = templates.frame(&Named(name), id, batch).expect("encode");
                if at < SERIALIZERS {
                    assert_eq!(frame, Some(Named(name).encode(&batch(id)).expect("encode")));
                } else {
                    // Every slot is taken: the caller encodes in full.
                    assert_eq!(frame, None);
                }
            }
        }
        let names: Vec<_> = templates
            .0
            .iter()
            .filter_map(|slot| slot.get())
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(names, NAMES[..SERIALIZERS]);
    }

    #[test]
    fn an_id_too_long_for_its_buffer_is_refused() {
        assert_eq!(
            EncodedId::write(|room| std::io::Write::write_all(room, &[b'9'; EncodedId::CAPACITY]))
                .map(|id| id.as_bytes().len()),
            Some(EncodedId::CAPACITY)
        );
        assert_eq!(
            EncodedId::write(|room| std::io::Write::write_all(
                room,
                &[b'9'; EncodedId::CAPACITY + 1]
            )),
            None
        );
    }
}

//! plugwire-json: the Buttplug standard serialization. A batch is one JSON array of messages
//! in a text frame; a frame may carry several arrays back to back.
//!
//! ```
//! use plugwire_core::Serializer;
//! use plugwire_core::message::{ClientMessage, IdOnly};
//! use plugwire_json::JsonSerializer;
//!
//! let json = JsonSerializer::default();
//! let frame = json.encode(&[ClientMessage::Ping(IdOnly { id: 5 })]).unwrap();
//! assert_eq!(frame.bytes().as_ref(), br#"[{"Ping":{"Id":5}}]"#);
//! let back: Vec<ClientMessage> = json.decode(&frame).into_result().unwrap();
//! assert_eq!(back, vec![ClientMessage::Ping(IdOnly { id: 5 })]);
//! ```
//!
//! # What a client's frame may hold
//!
//! A server decodes a frame in one typed pass and, only if that fails, message by message, so
//! that one bad message costs only its own reply. Both passes follow one rule
//! ([`plugwire_core::message::Batch`]): every value of the frame is read in full, the same
//! way, whatever type asks for it.
//!
//! - Unknown fields are ignored, but their values are read like any other. A value serde_json
//!   cannot represent (a number beyond `f64` such as `1e400`, a lone surrogate escape such as
//!   `"\ud800"`, nesting deeper than 128) makes the whole frame malformed wherever it sits:
//!   the client gets one `Error`, carrying the request's Id when the frame shows exactly one.
//! - A message that reads as values but not as its type (a missing field, a string where a
//!   number belongs, an unknown message name) gets its own `Error` with its Id, and the rest
//!   of the batch goes ahead.

use bytes::Bytes;
use plugwire_core::{Decoded, EncodedId, Frame, SerializeError, Serializer};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON in text frames, as every Buttplug client and server speaks it.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonSerializer;

impl Serializer for JsonSerializer {
    fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError> {
        serde_json::to_vec(batch)
            .map(|bytes| Frame::Text(Bytes::from(bytes)))
            .map_err(|e| SerializeError::Encode(Box::new(e)))
    }

    fn decode<M: DeserializeOwned>(&self, frame: &Frame) -> Decoded<M> {
        let Frame::Text(text) = frame else {
            return Decoded::failed(SerializeError::WrongFrameKind {
                expected: "text",
                got: frame.kind(),
            });
        };
        decode_batches(text)
    }

    fn name(&self) -> &'static str {
        "json"
    }

    fn encode_id(&self, id: u32) -> Option<EncodedId> {
        // A number is written the same alone as inside a message.
        EncodedId::write(|room| serde_json::to_writer(room, &id))
    }
}

mod parse;
mod shortcut;

pub use parse::parse_batches;

/// Decodes every array in `text`, one after another, keeping those before a fault.
pub fn decode_batches<M: DeserializeOwned>(text: &[u8]) -> Decoded<M> {
    match shortcut::lone_id_message(text) {
        Some(message) => Decoded::complete(vec![message]),
        None => parse_batches(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::scan_id;
    use plugwire_core::message::{AnyClientMessage, Lenient};

    fn decode(text: &str) -> Result<Vec<Lenient<AnyClientMessage>>, SerializeError> {
        decode_partial(text).into_result()
    }

    fn decode_partial(text: &str) -> Decoded<Lenient<AnyClientMessage>> {
        JsonSerializer.decode(&Frame::Text(Bytes::copy_from_slice(text.as_bytes())))
    }

    #[test]
    fn several_arrays_in_one_frame_are_joined() {
        let batch = decode(r#"[{"Ping":{"Id":1}}] [{"Ping":{"Id":2}},{"StartScanning":{"Id":3}}]"#)
            .expect("valid frame");
        let ids: Vec<_> = batch
            .iter()
            .map(|m| match m {
                Lenient::Valid(m) => m.id(),
                Lenient::Invalid(_) => 0,
            })
            .collect();
        assert_eq!(ids, [1, 2, 3]);
    }

    #[test]
    fn unknown_message_keeps_its_name_and_id() {
        let batch = decode(r#"[{"Frobnicate":{"Id":9}},{"Ping":{"Id":10}}]"#).expect("array");
        match &batch[0] {
            Lenient::Invalid(bad) => {
                assert_eq!(bad.id, Some(9));
                assert_eq!(bad.name.as_deref(), Some("Frobnicate"));
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(matches!(
            batch[1],
            Lenient::Valid(AnyClientMessage::Ping(_))
        ));
    }

    #[test]
    fn bad_field_keeps_the_id() {
        let batch = decode(r#"[{"Ping":{"Id":4,"Extra":[}}]"#);
        assert!(matches!(
            batch,
            Err(SerializeError::Malformed { id: Some(4), .. })
        ));
        let batch = decode(r#"[{"StopDeviceCmd":{"Id":6,"DeviceIndex":"zero"}}]"#).expect("array");
        assert!(matches!(&batch[0], Lenient::Invalid(bad) if bad.id == Some(6)));
    }

    #[test]
    fn bare_object_empty_array_and_binary_are_refused() {
        assert!(matches!(
            decode(r#"{"Ping":{"Id":7}}"#),
            Err(SerializeError::NotABatch { id: Some(7) })
        ));
        assert!(matches!(decode("[]"), Err(SerializeError::EmptyBatch)));
        assert!(matches!(decode("   "), Err(SerializeError::EmptyBatch)));
        let binary = Frame::Binary(Bytes::from_static(b"[]"));
        assert!(matches!(
            JsonSerializer
                .decode::<Lenient<AnyClientMessage>>(&binary)
                .into_result(),
            Err(SerializeError::WrongFrameKind { .. })
        ));
    }

    #[test]
    fn ambiguous_ids_in_broken_json_are_not_guessed() {
        assert_eq!(scan_id(br#"[{"A":{"Id":1}},{"B":{"Id":2}"#), None);
        assert_eq!(scan_id(br#"[{"A":{"Id" : 12"#), Some(12));
        assert_eq!(scan_id(br#"[{"A":{"ClientName":"Id","Id":3"#), Some(3));
        assert_eq!(scan_id(b"garbage"), None);
        // An Id that is not a whole u32 is no Id, not the digits it starts with.
        assert_eq!(scan_id(br#"[{"Ping":{"Id":1e400}}]"#), None);
        assert_eq!(scan_id(br#"[{"Ping":{"Id":1.5}"#), None);
        assert_eq!(scan_id(br#"[{"Ping":{"Id":99999999999}"#), None);
        assert_eq!(scan_id(br#"[{"Ping":{"Id":"7"}"#), None);
    }

    #[test]
    fn batches_before_a_fault_are_kept() {
        let decoded = decode_partial(r#"[{"Ping":{"Id":5}}] [{"Ping":{"Id":6}"#);
        assert_eq!(decoded.messages.len(), 1);
        assert!(matches!(
            decoded.error,
            Some(SerializeError::Malformed { id: Some(6), .. })
        ));
        let decoded = decode_partial(r#"[{"Ping":{"Id":5}}] {"Ping":{"Id":7}}"#);
        assert_eq!(decoded.messages.len(), 1);
        assert!(matches!(
            decoded.error,
            Some(SerializeError::NotABatch { id: Some(7) })
        ));
        let decoded = decode_partial(r#"[] [{"Ping":{"Id":8}}]"#);
        assert_eq!(decoded.messages.len(), 1);
        assert!(matches!(decoded.error, Some(SerializeError::EmptyBatch)));
    }
}

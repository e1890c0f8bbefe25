//! plugwire-msgpack: the compact binary alternative to JSON.
//!
//! A frame is the JSON batch field for field in MessagePack: an array of one-key maps, structs
//! as maps with the same PascalCase keys (named fields, not positional arrays), enum variants by
//! name. It travels in binary frames. Several arrays back to back in one frame are accepted.
//!
//! ```
//! use plugwire_core::{Frame, Serializer};
//! use plugwire_core::message::{ClientMessage, IdOnly};
//! use plugwire_msgpack::MsgpackSerializer;
//!
//! let frame = MsgpackSerializer.encode(&[ClientMessage::Ping(IdOnly { id: 5 })]).unwrap();
//! // fixarray(1), fixmap(1), "Ping", fixmap(1), "Id", 5
//! assert_eq!(frame.bytes().as_ref(), b"\x91\x81\xa4Ping\x81\xa2Id\x05");
//! let back: Vec<ClientMessage> = MsgpackSerializer.decode(&frame).into_result().unwrap();
//! assert_eq!(back, vec![ClientMessage::Ping(IdOnly { id: 5 })]);
//! ```
//!
//! # What a client's frame may hold
//!
//! As in JSON, the typed pass over a whole frame and the message-by-message pass that follows
//! when it fails follow one rule ([`plugwire_core::message::Batch`]): every value is read as it
//! is written. A `bin` is bytes and nothing else: no message field holds bytes, so a `bin`
//! standing for a message body, a struct or a list (a raw write's `Data` included: write it as
//! an array of integers) makes that message invalid; the client gets an `Error` for it
//! (`malformed BatteryLevelCmd: invalid type: byte array, expected struct DeviceOnly`, with the
//! message's Id if it can still be read, else 0) while the rest of the batch goes ahead. An
//! enum is its name or a map with one entry, never a bare index. Unknown
//! fields are ignored, whatever well-formed value they hold.

use bytes::Bytes;
use plugwire_core::message::Batch;
use plugwire_core::{Decoded, EncodedId, Frame, SerializeError, Serializer};
use serde::Serialize;
use serde::de::{Deserialize, DeserializeOwned};
use serde_value::Value;

/// Deepest nesting accepted, as serde_json's default: no Buttplug message comes close, and a
/// deeper frame must not exhaust a task's stack.
const MAX_DEPTH: usize = 128;

/// MessagePack with named fields, in binary frames.
#[derive(Debug, Clone, Copy, Default)]
pub struct MsgpackSerializer;

/// Whether `byte` starts a MessagePack array (fixarray, array 16, array 32).
pub fn is_array_marker(byte: u8) -> bool {
    matches!(byte, 0x90..=0x9f | 0xdc | 0xdd)
}

impl Serializer for MsgpackSerializer {
    fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError> {
        rmp_serde::to_vec_named(batch)
            .map(|bytes| Frame::Binary(Bytes::from(bytes)))
            .map_err(|e| SerializeError::Encode(Box::new(e)))
    }

    fn decode<M: DeserializeOwned>(&self, frame: &Frame) -> Decoded<M> {
        let Frame::Binary(bytes) = frame else {
            return Decoded::failed(SerializeError::WrongFrameKind {
                expected: "binary",
                got: frame.kind(),
            });
        };
        decode_batches(bytes)
    }

    fn name(&self) -> &'static str {
        "msgpack"
    }

    fn encode_id(&self, id: u32) -> Option<EncodedId> {
        // The smallest integer form, alone as inside a message.
        EncodedId::write(|room| rmp_serde::encode::write(room, &id))
    }
}

/// Decodes every array in `bytes`, one after another, keeping those before a fault.
pub fn decode_batches<M: DeserializeOwned>(bytes: &[u8]) -> Decoded<M> {
    let mut decoded = Decoded::complete(Vec::new());
    let mut rest = bytes;
    while !rest.is_empty() {
        if !is_array_marker(rest[0]) {
            decoded.error = Some(not_a_batch(rest));
            break;
        }
        let mut deserializer = rmp_serde::Deserializer::new(rest);
        deserializer.set_max_depth(MAX_DEPTH);
        match Batch::<M>::deserialize(&mut deserializer) {
            Ok(Batch(batch)) if batch.is_empty() => {
                decoded.error.get_or_insert(SerializeError::EmptyBatch);
            }
            Ok(Batch(batch)) => decoded.messages.extend(batch),
            Err(error) => {
                decoded.error = Some(SerializeError::Malformed {
                    id: None,
                    source: Box::new(error),
                });
                break;
            }
        }
        let remaining = deserializer.into_inner();
        if remaining.len() >= rest.len() {
            // Nothing was consumed; stop rather than spin.
            break;
        }
        rest = remaining;
    }
    if decoded.messages.is_empty() && decoded.error.is_none() {
        decoded.error = Some(SerializeError::EmptyBatch);
    }
    decoded
}

/// A value that is not an array: report it with its Id when it is a single message.
fn not_a_batch(bytes: &[u8]) -> SerializeError {
    let mut deserializer = rmp_serde::Deserializer::new(bytes);
    deserializer.set_max_depth(MAX_DEPTH);
    match Value::deserialize(&mut deserializer) {
        Ok(value) => SerializeError::NotABatch {
            id: message_id(&value),
        },
        Err(error) => SerializeError::Malformed {
            id: None,
            source: Box::new(error),
        },
    }
}

fn message_id(value: &Value) -> Option<u32> {
    let Value::Map(outer) = value else {
        return None;
    };
    let body = if outer.len() == 1 {
        outer.values().next()?
    } else {
        value
    };
    let Value::Map(fields) = body else {
        return None;
    };
    match fields.get(&Value::String("Id".to_owned()))? {
        Value::U8(v) => Some(u32::from(*v)),
        Value::U16(v) => Some(u32::from(*v)),
        Value::U32(v) => Some(*v),
        Value::U64(v) => u32::try_from(*v).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugwire_core::message::{AnyClientMessage, Lenient};

    fn decode(bytes: Vec<u8>) -> Decoded<Lenient<AnyClientMessage>> {
        MsgpackSerializer.decode(&Frame::Binary(bytes.into()))
    }

    fn ping(id: u32) -> Vec<u8> {
        let mut bytes = vec![0x91, 0x81, 0xa4];
        bytes.extend_from_slice(b"Ping");
        bytes.extend_from_slice(&[0x81, 0xa2, b'I', b'd', u8::try_from(id).expect("small id")]);
        bytes
    }

    #[test]
    fn several_arrays_in_one_frame_are_joined() {
        let mut bytes = ping(1);
        bytes.extend(ping(2));
        let decoded = decode(bytes);
        assert!(decoded.error.is_none());
        assert_eq!(decoded.messages.len(), 2);
    }

    #[test]
    fn unknown_messages_keep_their_id_and_faults_are_classified() {
        let unknown = rmp_serde::to_vec_named(&vec![std::collections::BTreeMap::from([(
            "Frobnicate",
            std::collections::BTreeMap::from([("Id", 9u32)]),
        )])])
        .expect("encode");
        match &decode(unknown).messages[0] {
            Lenient::Invalid(bad) => {
                assert_eq!((bad.id, bad.name.as_deref()), (Some(9), Some("Frobnicate")))
            }
            other => panic!("{other:?}"),
        }
        let bare = rmp_serde::to_vec_named(&std::collections::BTreeMap::from([(
            "Ping",
            std::collections::BTreeMap::from([("Id", 4u32)]),
        )]))
        .expect("encode");
        assert!(matches!(
            decode(bare).error,
            Some(SerializeError::NotABatch { id: Some(4) })
        ));
        assert!(matches!(
            decode(vec![0x90]).error,
            Some(SerializeError::EmptyBatch)
        ));
        assert!(matches!(
            decode(vec![0x91, 0xc1]).error,
            Some(SerializeError::Malformed { .. })
        ));
        let mut truncated = ping(3);
        truncated.pop();
        assert!(matches!(
            decode(truncated).error,
            Some(SerializeError::Malformed { .. })
        ));
        let text = MsgpackSerializer.decode::<Lenient<AnyClientMessage>>(&Frame::Text("[]".into()));
        assert!(matches!(
            text.error,
            Some(SerializeError::WrongFrameKind { .. })
        ));
    }

    #[test]
    fn an_enum_is_a_name_or_a_map_with_one_entry_not_an_index() {
        // rmp_serde alone reads an integer as the index of a unit variant.
        let input_cmd = |input_type: &[u8]| {
            let mut bytes = vec![0x91, 0x81, 0xa8];
            bytes.extend_from_slice(b"InputCmd");
            bytes.extend_from_slice(&[0x85, 0xa2, b'I', b'd', 0x01, 0xab]);
            bytes.extend_from_slice(b"DeviceIndex");
            bytes.extend_from_slice(&[0x00, 0xac]);
            bytes.extend_from_slice(b"FeatureIndex");
            bytes.extend_from_slice(&[0x00, 0xa4]);
            bytes.extend_from_slice(b"Type");
            bytes.extend_from_slice(input_type);
            bytes.push(0xa7);
            bytes.extend_from_slice(b"Command");
            bytes.push(0xa4);
            bytes.extend_from_slice(b"Read");
            bytes
        };
        let named = MsgpackSerializer
            .decode::<AnyClientMessage>(&Frame::Binary(input_cmd(b"\xa7Battery").into()));
        assert!(named.error.is_none(), "{:?}", named.error);
        let frame = Frame::Binary(input_cmd(&[0x00]).into());
        let typed = MsgpackSerializer.decode::<AnyClientMessage>(&frame);
        assert!(typed.error.is_some(), "typed took {:?}", typed.messages);
        let buffered = decode(frame.bytes().to_vec());
        assert!(matches!(
            buffered.messages.first(),
            Some(Lenient::Invalid(_))
        ));
    }
}

//! Per-connection serializer detection: a session speaks whatever its first frame is in.
//!
//! JSON arrives as text (or as bytes starting with `[` after white space); MessagePack as
//! binary starting with an array marker. The first frame decides, and from then on the session
//! is answered in that serializer; a frame in the other one gets an Error (the connection
//! stays). A listener can be restricted to one serializer. Only the serializers built in (cargo
//! features `json`, `msgpack`) are recognised.

use plugwire_core::message::name_and_id;
use plugwire_core::sync::Mutex;
use plugwire_core::{Decoded, EncodedId, Frame, SerializeError, Serializer, SerializerFactory};
#[cfg(feature = "json")]
use plugwire_json::JsonSerializer;
#[cfg(feature = "msgpack")]
use plugwire_msgpack::MsgpackSerializer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;

use super::url::SerializerKind;

/// Detects each connection's serializer from its first frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct Detect {
    /// Accept only this serializer (`None`: any built in).
    pub only: Option<SerializerKind>,
}

impl SerializerFactory for Detect {
    type Serializer = DetectingSerializer;

    fn for_connection(&self) -> DetectingSerializer {
        DetectingSerializer {
            only: self.only,
            chosen: OnceLock::new(),
            last_seen: Mutex::new(None),
        }
    }
}

/// One connection's serializer, decided by its first frame.
#[derive(Debug)]
pub struct DetectingSerializer {
    only: Option<SerializerKind>,
    chosen: OnceLock<SerializerKind>,
    /// The serializer of the last frame, so a refused client is told in words it can read.
    last_seen: Mutex<Option<SerializerKind>>,
}

impl DetectingSerializer {
    /// The serializer the connection speaks, once its first frame decided it.
    pub fn chosen(&self) -> Option<SerializerKind> {
        self.chosen.get().copied()
    }
}

/// Which built-in serializer a frame is in, if any.
pub fn kind_of(frame: &Frame) -> Option<SerializerKind> {
    let kind = match frame {
        Frame::Text(_) => SerializerKind::Json,
        Frame::Binary(bytes) => match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => SerializerKind::Json,
            #[cfg(feature = "msgpack")]
            _ if bytes
                .first()
                .copied()
                .is_some_and(plugwire_msgpack::is_array_marker) =>
            {
                SerializerKind::Msgpack
            }
            _ => return None,
        },
    };
    kind.is_built_in().then_some(kind)
}

/// Encodes in `kind` (a built-in one).
fn encode_as<M: Serialize>(kind: SerializerKind, batch: &[M]) -> Result<Frame, SerializeError> {
    match kind {
        #[cfg(feature = "json")]
        SerializerKind::Json => JsonSerializer.encode(batch),
        #[cfg(feature = "msgpack")]
        SerializerKind::Msgpack => MsgpackSerializer.encode(batch),
        #[allow(unreachable_patterns)]
        _ => Err(SerializeError::UnknownFormat),
    }
}

/// Decodes in `kind` (a built-in one).
fn decode_as<M: DeserializeOwned>(kind: SerializerKind, frame: &Frame) -> Decoded<M> {
    match kind {
        #[cfg(feature = "json")]
        SerializerKind::Json => JsonSerializer.decode(frame),
        #[cfg(feature = "msgpack")]
        SerializerKind::Msgpack => MsgpackSerializer.decode(frame),
        #[allow(unreachable_patterns)]
        _ => Decoded::failed(SerializeError::UnknownFormat),
    }
}

/// The Id of the first message of a frame in `kind`, so a refusal can answer it.
fn first_id(kind: SerializerKind, frame: &Frame) -> Option<u32> {
    let values: Decoded<serde_value::Value> = decode_as(kind, frame);
    values
        .messages
        .first()
        .and_then(|value| name_and_id(value).1)
}

impl Serializer for DetectingSerializer {
    fn encode<M: Serialize>(&self, batch: &[M]) -> Result<Frame, SerializeError> {
        // Before any frame was accepted, answer in what the client last sent (so a client
        // refused by a restricted listener can read why), else JSON: what every Buttplug
        // client understands.
        let kind = self
            .chosen()
            .or_else(|| *self.last_seen.lock())
            .or(self.only)
            .unwrap_or(SerializerKind::DEFAULT);
        encode_as(kind, batch)
    }

    fn decode<M: DeserializeOwned>(&self, frame: &Frame) -> Decoded<M> {
        let seen = kind_of(frame);
        // Only recorded while nothing is chosen (`encode` looks at it only then): once
        // settled, no lock per frame.
        if seen.is_some() && self.chosen().is_none() {
            *self.last_seen.lock() = seen;
        }
        let expected = match (self.chosen(), self.only, seen) {
            (Some(chosen), _, _) => chosen,
            (None, Some(only), _) => only,
            (None, None, Some(seen)) => seen,
            (None, None, None) => {
                return Decoded::failed(SerializeError::UnknownFormat);
            }
        };
        if seen != Some(expected) {
            return Decoded::failed(SerializeError::WrongFormat {
                expected: expected.name(),
                got: seen.map_or("an unknown serialization", SerializerKind::name),
                id: seen.and_then(|seen| first_id(seen, frame)),
            });
        }
        let decoded = decode_as(expected, frame);
        // A frame that decoded (even partly) settles the question for the connection.
        if !decoded.messages.is_empty() {
            let _ = self.chosen.set(expected);
        }
        decoded
    }

    fn name(&self) -> &'static str {
        self.chosen()
            .or(self.only)
            .map_or("auto", SerializerKind::name)
    }

    fn encode_id(&self, id: u32) -> Option<EncodedId> {
        // Only once the connection settled on a serializer: before that, `encode` may pick
        // another than `name` says.
        match self.chosen()? {
            #[cfg(feature = "json")]
            SerializerKind::Json => JsonSerializer.encode_id(id),
            #[cfg(feature = "msgpack")]
            SerializerKind::Msgpack => MsgpackSerializer.encode_id(id),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

#[cfg(all(test, feature = "json", feature = "msgpack"))]
mod tests {
    use super::*;
    use plugwire_core::message::{AnyClientMessage, ClientMessage, IdOnly, Lenient};

    fn ping(id: u32) -> Vec<ClientMessage> {
        vec![ClientMessage::Ping(IdOnly { id })]
    }

    #[test]
    fn the_first_frame_decides_and_the_other_serializer_is_refused() {
        let json = JsonSerializer.encode(&ping(1)).expect("json");
        let msgpack = MsgpackSerializer.encode(&ping(2)).expect("msgpack");

        let session = Detect::default().for_connection();
        assert_eq!(
            session
                .decode::<Lenient<AnyClientMessage>>(&msgpack)
                .messages
                .len(),
            1
        );
        assert_eq!(session.chosen(), Some(SerializerKind::Msgpack));
        assert!(matches!(
            session.decode::<Lenient<AnyClientMessage>>(&json).error,
            Some(SerializeError::WrongFormat {
                expected: "msgpack",
                id: Some(1),
                ..
            })
        ));
        assert_eq!(
            session.encode(&ping(3)).expect("encode"),
            MsgpackSerializer.encode(&ping(3)).expect("same")
        );

        let session = Detect::default().for_connection();
        assert_eq!(
            session
                .decode::<Lenient<AnyClientMessage>>(&json)
                .messages
                .len(),
            1
        );
        assert!(
            session
                .decode::<Lenient<AnyClientMessage>>(&msgpack)
                .error
                .is_some()
        );
        assert_eq!(
            session.encode(&ping(3)).expect("encode"),
            JsonSerializer.encode(&ping(3)).expect("same")
        );
    }

    #[test]
    fn a_restricted_listener_refuses_the_other_serializer_from_the_start() {
        let session = Detect {
            only: Some(SerializerKind::Json),
        }
        .for_connection();
        let msgpack = MsgpackSerializer.encode(&ping(2)).expect("msgpack");
        assert!(matches!(
            session.decode::<Lenient<AnyClientMessage>>(&msgpack).error,
            Some(SerializeError::WrongFormat {
                expected: "json",
                got: "msgpack",
                id: Some(2),
            })
        ));
        // The refusal is written so the refused client can read it.
        assert_eq!(
            session.encode(&ping(3)).expect("encode"),
            MsgpackSerializer.encode(&ping(3)).expect("same")
        );
        // A JSON frame is then accepted, and settles the session.
        let json = JsonSerializer.encode(&ping(4)).expect("json");
        assert_eq!(
            session
                .decode::<Lenient<AnyClientMessage>>(&json)
                .messages
                .len(),
            1
        );
        assert_eq!(session.chosen(), Some(SerializerKind::Json));
    }

    #[test]
    fn frames_are_told_apart() {
        assert_eq!(
            kind_of(&Frame::Text("[]".into())),
            Some(SerializerKind::Json)
        );
        assert_eq!(
            kind_of(&Frame::Binary(b"  \n[{}]".to_vec().into())),
            Some(SerializerKind::Json)
        );
        assert_eq!(
            kind_of(&Frame::Binary(vec![0x91, 0x80].into())),
            Some(SerializerKind::Msgpack)
        );
        assert_eq!(
            kind_of(&Frame::Binary(vec![0xdc, 0, 1].into())),
            Some(SerializerKind::Msgpack)
        );
        assert_eq!(kind_of(&Frame::Binary(vec![0x81].into())), None);
        assert_eq!(kind_of(&Frame::Binary(Vec::new().into())), None);
        let undecided = Detect::default().for_connection();
        assert!(matches!(
            undecided
                .decode::<Lenient<AnyClientMessage>>(&Frame::Binary(vec![0xc1].into()))
                .error,
            Some(SerializeError::UnknownFormat)
        ));
        assert_eq!(undecided.chosen(), None);
    }

    #[test]
    fn a_device_list_is_spliced_only_once_the_connection_settled_and_from_then_on() {
        use plugwire_core::message::{SharedDeviceList, SpecVersion, device_list};
        use std::sync::Arc;

        let list = Arc::new(device_list(SpecVersion::V4, 0, &[]));
        let templates = Arc::default();
        let reply = SharedDeviceList::new(5, list, templates);
        let session = Detect {
            only: Some(SerializerKind::Json),
        }
        .for_connection();
        // Not settled yet: encoded in full, and nothing remembered for "json".
        assert_eq!(session.name(), "json");
        assert_eq!(reply.frame(&session).expect("encode"), None);
        session
            .decode::<Lenient<AnyClientMessage>>(&JsonSerializer.encode(&ping(1)).expect("json"));
        assert_eq!(session.chosen(), Some(SerializerKind::Json));
        assert_eq!(
            reply.frame(&session).expect("encode"),
            Some(
                JsonSerializer
                    .encode(&[reply.to_owned_message()])
                    .expect("json")
            )
        );
    }
}

//! The frame most requests of a busy session are, read without a JSON parser: one message that
//! holds nothing but its Id, such as `[{"RequestDeviceList":{"Id":7}}]`.
//!
//! Under load, parsing that frame with serde_json cost the server more than deciding the
//! request it carries. The shortcut takes only this exact shape (JSON whitespace allowed
//! between tokens, as Python's client writes it) with the name of a Buttplug message that holds
//! only an Id, hands name and Id to the message type as a map, and keeps the result only if
//! the type accepts it; any other frame, or one the type refuses, goes to serde_json, so every
//! error still comes from there. Where it applies it gives what serde_json would (the fuzz
//! target `decode_client_json` compares the two).

use serde::de::value::{Error, MapAccessDeserializer, MapDeserializer, StrDeserializer};
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess};

/// The Buttplug messages (of any spec version) that may hold nothing but an Id (`StopCmd`
/// alone stops everything). A name is looked up here rather than checked character by
/// character and converted to a string, which was about a third of the reading.
const ID_ONLY: [&str; 7] = [
    "RequestDeviceList",
    "Ping",
    "StartScanning",
    "StopScanning",
    "StopCmd",
    "StopAllDevices",
    "Disconnect",
];
/// Most digits an Id taken may have: any 19-digit number fits a `u64` (a message Id is a
/// `u32`, 10 digits at most), so no digit needs an overflow check.
const MAX_DIGITS: usize = 19;

/// `text` as the message type, when it is one message holding only an Id and the type takes it.
pub(crate) fn lone_id_message<M: DeserializeOwned>(text: &[u8]) -> Option<M> {
    let (name, id) = name_and_id(text)?;
    M::deserialize(MapAccessDeserializer::new(OneMessage {
        name: Some(name),
        id,
    }))
    .ok()
}

/// The name and Id of `[{"Name":{"Id":n}}]`; `None` for any other text.
fn name_and_id(text: &[u8]) -> Option<(&'static str, u64)> {
    compact(text).or_else(|| spaced(text))
}

/// The frame as most clients write it, with no whitespace: a few comparisons of fixed
/// strings, about a third of the instructions of reading it token by token.
fn compact(text: &[u8]) -> Option<(&'static str, u64)> {
    let rest = text.strip_prefix(b"[{\"")?;
    let name = ID_ONLY
        .into_iter()
        .find(|name| rest.starts_with(name.as_bytes()))?;
    let rest = rest[name.len()..].strip_prefix(b"\":{\"Id\":")?;
    let end = rest.iter().position(|b| !b.is_ascii_digit())?;
    let (digits, rest) = rest.split_at(end);
    if rest != b"}}]" {
        return None;
    }
    Some((name, id(digits)?))
}

/// The frame with JSON whitespace anywhere between its tokens, read token by token.
fn spaced(text: &[u8]) -> Option<(&'static str, u64)> {
    let mut cursor = Cursor(text);
    cursor.token(b'[')?;
    cursor.token(b'{')?;
    cursor.token(b'"')?;
    let name = cursor.take_while(|b| b != b'"');
    let name = ID_ONLY.into_iter().find(|known| known.as_bytes() == name)?;
    cursor.exact(b'"')?;
    cursor.token(b':')?;
    cursor.token(b'{')?;
    cursor.token(b'"')?;
    cursor.exact(b'I')?;
    cursor.exact(b'd')?;
    cursor.exact(b'"')?;
    cursor.token(b':')?;
    cursor.skip_whitespace();
    let id = id(cursor.take_while(|b| b.is_ascii_digit()))?;
    cursor.token(b'}')?;
    cursor.token(b'}')?;
    cursor.token(b']')?;
    cursor.skip_whitespace();
    if !cursor.0.is_empty() {
        return None;
    }
    Some((name, id))
}

/// The value of an Id's digits. JSON writes no leading zeros; anything else about the number
/// is serde_json's to judge.
fn id(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > MAX_DIGITS || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |id, digit| id * 10 + u64::from(digit - b'0')),
    )
}

/// What is left of the text, read a token at a time.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = self.0 {
            self.0 = rest;
        }
    }

    /// `expected`, after any whitespace.
    fn token(&mut self, expected: u8) -> Option<()> {
        self.skip_whitespace();
        self.exact(expected)
    }

    /// `expected`, right here.
    fn exact(&mut self, expected: u8) -> Option<()> {
        match self.0 {
            [first, rest @ ..] if *first == expected => {
                self.0 = rest;
                Some(())
            }
            _ => None,
        }
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let end = self
            .0
            .iter()
            .position(|&b| !keep(b))
            .unwrap_or(self.0.len());
        let (taken, rest) = self.0.split_at(end);
        self.0 = rest;
        taken
    }
}

/// `{name: {"Id": id}}` as serde sees a JSON object: a map of one entry, whose value is a map
/// of one entry.
struct OneMessage {
    name: Option<&'static str>,
    id: u64,
}

impl<'de> MapAccess<'de> for OneMessage {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        self.name
            .take()
            .map(|name| seed.deserialize(StrDeserializer::new(name)))
            .transpose()
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(MapDeserializer::new(std::iter::once(("Id", self.id))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.name.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use plugwire_core::message::{AnyClientMessage, ClientMessage, IdOnly, Lenient};
    use serde_value::Value;

    use super::*;
    use crate::parse::parse_batches;

    /// What serde_json makes of `text`, when it is one message.
    fn parsed<M: DeserializeOwned>(text: &str) -> Option<M> {
        let decoded = parse_batches::<M>(text.as_bytes());
        match <[M; 1]>::try_from(decoded.into_result().ok()?) {
            Ok([message]) => Some(message),
            Err(_) => None,
        }
    }

    /// The shortcut's answer for `text`, checked against serde_json's when it has one.
    fn shortcut<M: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> Option<M> {
        let taken = lone_id_message::<M>(text.as_bytes());
        if let Some(message) = &taken {
            assert_eq!(Some(message), parsed::<M>(text).as_ref(), "{text}");
        }
        taken
    }

    #[test]
    fn the_names_taken_are_exactly_the_messages_holding_only_an_id() {
        for name in AnyClientMessage::NAMES {
            let text = format!(r#"[{{"{name}":{{"Id":1}}}}]"#);
            assert_eq!(
                parsed::<AnyClientMessage>(&text).is_some(),
                ID_ONLY.contains(name),
                "{name}"
            );
        }
    }

    #[test]
    fn every_message_holding_only_an_id_is_read_as_serde_json_reads_it() {
        for name in AnyClientMessage::NAMES {
            for id in [
                0u64,
                1,
                7,
                4_294_967_295,
                4_294_967_296,
                9_999_999_999_999_999_999,
            ] {
                let text = format!(r#"[{{"{name}":{{"Id":{id}}}}}]"#);
                // The compact reading finds what the token-by-token one finds.
                assert_eq!(compact(text.as_bytes()), spaced(text.as_bytes()), "{text}");
                let any = shortcut::<AnyClientMessage>(&text);
                assert_eq!(any.is_some(), parsed::<AnyClientMessage>(&text).is_some());
                let _ = shortcut::<ClientMessage>(&text);
                let _ = shortcut::<Lenient<AnyClientMessage>>(&text);
                assert_eq!(
                    shortcut::<Value>(&text).is_some(),
                    ID_ONLY.contains(name),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn python_spacing_is_taken() {
        // Whitespace is the token-by-token reading's alone.
        assert_eq!(compact(br#"[{"Ping": {"Id": 9}}]"#), None);
        assert_eq!(spaced(br#"[{"Ping": {"Id": 9}}]"#), Some(("Ping", 9)));
        let text = "[{\"RequestDeviceList\": {\"Id\": 12}}]\n";
        assert_eq!(
            shortcut::<AnyClientMessage>(text),
            Some(AnyClientMessage::RequestDeviceList(IdOnly { id: 12 }))
        );
        let text = " [ { \"Ping\" :\t{ \"Id\" :\r\n3 } } ] ";
        assert_eq!(
            shortcut::<AnyClientMessage>(text),
            Some(AnyClientMessage::Ping(IdOnly { id: 3 }))
        );
    }

    #[test]
    fn a_message_the_type_refuses_is_left_to_serde_json() {
        let text = r#"[{"Ping":{"Id":4294967296}}]"#;
        assert_eq!(shortcut::<AnyClientMessage>(text), None);
        // Read leniently, it is an invalid message, as serde_json makes it.
        assert!(matches!(
            shortcut::<Lenient<AnyClientMessage>>(text),
            Some(Lenient::Invalid(_))
        ));
    }

    #[test]
    fn any_other_shape_is_left_to_serde_json() {
        for text in [
            r#"[{"Ping":{"Id":01}}]"#,
            r#"[{"Ping":{"Id":-1}}]"#,
            r#"[{"Ping":{"Id":1.0}}]"#,
            r#"[{"Ping":{"Id":1e2}}]"#,
            r#"[{"Ping":{"Id":"1"}}]"#,
            r#"[{"Ping":{"Id":}}]"#,
            r#"[{"Ping":{"Id":1,"Extra":2}}]"#,
            r#"[{"Ping":{"Id":1}},{"Ping":{"Id":2}}]"#,
            r#"[{"Ping":{"Id":1}}][{"Ping":{"Id":2}}]"#,
            r#"[{"Ping":{"Id":1}}"#,
            r#"[{"Ping":{"Id":1}}]]"#,
            r#"[{"OutputCmd":{"Id":3}}]"#,
            r#"[{"Frobnicate":{"Id":3}}]"#,
            r#"[{"PingX":{"Id":1}}]"#,
            r#"[{"Pin":{"Id":1}}]"#,
            r#"[{"P\u0069ng":{"Id":1}}]"#,
            r#"[{"Ping ":{"Id":1}}]"#,
            r#"[{"":{"Id":1}}]"#,
            r#"[{"Ping":{"Id":18446744073709551615}}]"#,
            r#"[{"Ping":{"Id":99999999999999999999}}]"#,
            r#"{"Ping":{"Id":1}}"#,
            "[{\"Ping\":{\"Id\":1}}]\u{a0}",
        ] {
            assert_eq!(name_and_id(text.as_bytes()), None, "{text}");
        }
    }
}

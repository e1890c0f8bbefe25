//! Every golden wire message, sent as MessagePack, decodes to the same value as its JSON form,
//! and encodes back to the same bytes.

use plugwire_core::message::legacy::{ServerMessageV0, ServerMessageV2, ServerMessageV3};
use plugwire_core::message::{AnyClientMessage, ServerMessage};
use plugwire_core::{Frame, Serializer};
use plugwire_msgpack::MsgpackSerializer;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn wire(section: &str) -> Vec<&'static str> {
    let text = include_str!("../../../core/tests/fixtures/wire-messages.txt");
    let heading = format!("## {section}\n");
    let start = text
        .find(&heading)
        .unwrap_or_else(|| panic!("no section {section}"))
        + heading.len();
    text[start..]
        .lines()
        .take_while(|line| !line.is_empty())
        .collect()
}

fn same_as_json<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(section: &str) {
    for line in wire(section) {
        let from_json: T = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        // The JSON batch, field for field, in MessagePack.
        let value: serde_json::Value = serde_json::from_str(&format!("[{line}]")).expect("json");
        let bytes = rmp_serde::to_vec_named(&value).expect("encode the JSON value as MessagePack");
        let frame = Frame::Binary(bytes.clone().into());
        let from_msgpack: Vec<T> = MsgpackSerializer
            .decode(&frame)
            .into_result()
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(from_msgpack, vec![from_json], "{section}: {line}");
        // And plugwire writes the same value back.
        let again = MsgpackSerializer.encode(&from_msgpack).expect("encode");
        let round: Vec<T> = MsgpackSerializer
            .decode(&again)
            .into_result()
            .expect("decode again");
        assert_eq!(round, from_msgpack);
        let as_value: serde_json::Value =
            rmp_serde::from_slice(again.bytes()).expect("generic decode");
        assert_eq!(as_value, value, "{section}: field names and values survive");
    }
}

#[test]
fn client_messages_of_every_version() {
    for section in [
        "client v0",
        "client v1",
        "client v2",
        "client v3",
        "client v4",
    ] {
        same_as_json::<AnyClientMessage>(section);
    }
}

#[test]
fn server_messages_of_every_version() {
    same_as_json::<ServerMessage>("server v4");
    same_as_json::<ServerMessageV0>("server v0");
    same_as_json::<ServerMessageV2>("server v2");
    same_as_json::<ServerMessageV3>("server v3");
}

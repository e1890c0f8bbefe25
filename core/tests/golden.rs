//! Golden wire tests: real wire JSON of every message of every spec version parses and
//! re-encodes to the same JSON value, and device descriptions convert down exactly as the
//! reference server writes them (fixtures from shared/fixtures).

use std::collections::BTreeMap;

use plugwire_core::message::legacy::{ServerMessageV0, ServerMessageV2, ServerMessageV3};
use plugwire_core::message::{
    self, AnyClientMessage, ClientMessage, DeviceFeature, DeviceInfo, OutputLimits, OutputType,
    Range, ServerMessage, SpecVersion,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Parses `wire` as `T`, re-encodes it, and checks the JSON value is unchanged.
fn round_trip<T: Serialize + DeserializeOwned + std::fmt::Debug>(wire: &str) -> T {
    let parsed: T =
        serde_json::from_str(wire).unwrap_or_else(|e| panic!("{wire} does not parse: {e}"));
    let again = serde_json::to_value(&parsed).expect("encodes");
    let original: Value = serde_json::from_str(wire).expect("fixture is JSON");
    assert_eq!(again, original, "re-encoding {wire} changed it");
    parsed
}

/// The lines of one section of `fixtures/wire-messages.txt`.
fn wire(section: &str) -> Vec<&'static str> {
    let text = include_str!("fixtures/wire-messages.txt");
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

#[test]
fn every_client_message_of_every_version_round_trips() {
    for (version, section) in [
        (SpecVersion::V0, "client v0"),
        (SpecVersion::V1, "client v1"),
        (SpecVersion::V2, "client v2"),
        (SpecVersion::V3, "client v3"),
        (SpecVersion::V4, "client v4"),
    ] {
        for wire in wire(section) {
            let message: AnyClientMessage = round_trip(wire);
            assert!(
                message.available_in(version),
                "{} should be in {version}",
                message.name()
            );
            assert!(AnyClientMessage::NAMES.contains(&message.name()));
        }
    }
}

#[test]
fn v4_client_messages_round_trip_as_canonical_types() {
    for wire in wire("client v4") {
        let message: ClientMessage = round_trip(wire);
        // And the same message seen through the all-versions enum is unchanged.
        let any = AnyClientMessage::from(message);
        assert_eq!(
            serde_json::to_value(&any).expect("encodes"),
            serde_json::from_str::<Value>(wire).expect("json")
        );
    }
}

#[test]
fn messages_are_limited_to_their_versions() {
    let scalar: AnyClientMessage = serde_json::from_str(wire("client v3")[1]).expect("parses");
    assert!(!scalar.available_in(SpecVersion::V2));
    assert!(!scalar.available_in(SpecVersion::V4));
    let output: AnyClientMessage = serde_json::from_str(wire("client v4")[5]).expect("parses");
    assert!(!output.available_in(SpecVersion::V3));
    let vibrate: AnyClientMessage = serde_json::from_str(wire("client v1")[1]).expect("parses");
    assert!(!vibrate.available_in(SpecVersion::V0));
    let log: AnyClientMessage = serde_json::from_str(wire("client v0")[7]).expect("parses");
    assert!(!log.available_in(SpecVersion::V2));
}

#[test]
fn v4_server_messages_round_trip() {
    for line in wire("server v4") {
        round_trip::<ServerMessage>(line);
    }
}

#[test]
fn legacy_server_messages_round_trip() {
    for line in wire("server v0") {
        round_trip::<ServerMessageV0>(line);
    }
    for line in wire("server v2") {
        round_trip::<ServerMessageV2>(line);
    }
    for line in wire("server v3") {
        round_trip::<ServerMessageV3>(line);
    }
}

/// The fixture device: two vibrators of 0..127, message gap 100 ms, at `index`.
fn aneros_vivi(index: u32) -> DeviceInfo {
    let vibrator = |i: u32, description: &str| DeviceFeature {
        feature_index: i,
        feature_description: description.to_owned(),
        output: BTreeMap::from([(
            OutputType::Vibrate,
            OutputLimits {
                value: Range::new(0, 127),
                duration: None,
            },
        )]),
        input: BTreeMap::new(),
    };
    DeviceInfo {
        device_index: index,
        device_name: "Aneros Vivi".to_owned(),
        device_display_name: None,
        device_message_timing_gap: 100,
        device_features: BTreeMap::from([
            (0, vibrator(0, "Perineum Vibrator")),
            (1, vibrator(1, "Internal Vibrator")),
        ]),
    }
}

/// Reads the server-to-client lines of one version's section of the fixture file.
fn fixture_lines(version: SpecVersion) -> Vec<Value> {
    let text = include_str!("fixtures/device-messages-by-version.md");
    let heading = format!("## spec v{}", version.number());
    let section = text.split(&heading).nth(1).expect("section exists");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("S->C "))
        .map(|json| serde_json::from_str::<Value>(json).expect("fixture line is JSON"))
        .collect()
}

fn encoded(message: impl Serialize) -> Value {
    json!([serde_json::to_value(message).expect("encodes")])
}

#[test]
fn device_messages_convert_down_exactly_as_the_reference_server() {
    for (version, index) in [
        (SpecVersion::V0, 2),
        (SpecVersion::V1, 3),
        (SpecVersion::V2, 4),
        (SpecVersion::V3, 5),
        (SpecVersion::V4, 6),
    ] {
        let lines = fixture_lines(version);
        let device = aneros_vivi(index);
        // Lines: ServerInfo, Ok, added/list-event, DeviceList(3), Ok, Ok, Ok, removed/list-event, DeviceList(7).
        assert_eq!(
            encoded(message::server_info(version, 1, "Buttplug Server", 0)),
            lines[0],
            "{version} ServerInfo"
        );
        assert_eq!(
            encoded(message::VersionedServerMessage::ok(version, 2)),
            lines[1],
            "{version} Ok"
        );
        let added = match message::device_added(version, &device) {
            Some(added) => added,
            None => message::device_list(version, 0, std::slice::from_ref(&device)),
        };
        assert_eq!(encoded(added), lines[2], "{version} device arrival");
        assert_eq!(
            encoded(message::device_list(
                version,
                3,
                std::slice::from_ref(&device)
            )),
            lines[3],
            "{version} DeviceList"
        );
        let removed = match message::device_removed(version, index) {
            Some(removed) => removed,
            None => message::device_list(version, 0, &[]),
        };
        assert_eq!(encoded(removed), lines[7], "{version} device removal");
        assert_eq!(
            encoded(message::device_list(version, 7, &[])),
            lines[8],
            "{version} empty DeviceList"
        );
    }
}

#[test]
fn fixture_commands_convert_up_to_the_same_output() {
    let device = aneros_vivi(0);
    let lookup = |index: u32| (index == 0).then(|| device.clone());
    let commands = [
        r#"{"SingleMotorVibrateCmd":{"Id":4,"DeviceIndex":0,"Speed":0.5}}"#,
        r#"{"VibrateCmd":{"Id":4,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":0.5}]}}"#,
        r#"{"ScalarCmd":{"Id":4,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}"#,
        r#"{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":64}}}}"#,
    ];
    for wire in commands {
        let message: AnyClientMessage = serde_json::from_str(wire).expect("parses");
        let upgraded = message::upgrade(message, lookup).expect("converts");
        let first = match upgraded {
            message::Upgraded::Outputs { commands, .. } => commands[0],
            message::Upgraded::Message(ClientMessage::OutputCmd(cmd)) => {
                (cmd.feature_index, cmd.command)
            }
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            first,
            (0, message::OutputCommand::new(OutputType::Vibrate, 64)),
            "{wire}"
        );
    }
}

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

const CLIENT_V0: &[&str] = &[
    r#"{"RequestServerInfo":{"Id":1,"ClientName":"raw-scenario"}}"#,
    r#"{"Ping":{"Id":2}}"#,
    r#"{"StartScanning":{"Id":2}}"#,
    r#"{"StopScanning":{"Id":6}}"#,
    r#"{"RequestDeviceList":{"Id":3}}"#,
    r#"{"StopAllDevices":{"Id":3}}"#,
    r#"{"StopDeviceCmd":{"Id":5,"DeviceIndex":2}}"#,
    r#"{"RequestLog":{"Id":3,"LogLevel":"Off"}}"#,
    r#"{"Test":{"Id":3,"TestString":"hello"}}"#,
    r#"{"SingleMotorVibrateCmd":{"Id":4,"DeviceIndex":2,"Speed":0.5}}"#,
    r#"{"KiirooCmd":{"Id":4,"DeviceIndex":2,"Command":"3"}}"#,
    r#"{"FleshlightLaunchFW12Cmd":{"Id":4,"DeviceIndex":2,"Position":50,"Speed":20}}"#,
    r#"{"LovenseCmd":{"Id":4,"DeviceIndex":2,"Command":"Vibrate:10;"}}"#,
    r#"{"VorzeA10CycloneCmd":{"Id":4,"DeviceIndex":2,"Speed":50,"Clockwise":true}}"#,
];

const CLIENT_V1: &[&str] = &[
    r#"{"RequestServerInfo":{"Id":1,"ClientName":"raw-scenario","MessageVersion":1}}"#,
    r#"{"VibrateCmd":{"Id":4,"DeviceIndex":3,"Speeds":[{"Index":0,"Speed":0.5}]}}"#,
    r#"{"LinearCmd":{"Id":3,"DeviceIndex":0,"Vectors":[{"Index":0,"Duration":500,"Position":0.3}]}}"#,
    r#"{"RotateCmd":{"Id":4,"DeviceIndex":0,"Rotations":[{"Index":0,"Speed":0.5,"Clockwise":true}]}}"#,
];

const CLIENT_V2: &[&str] = &[
    r#"{"RequestServerInfo":{"Id":1,"ClientName":"raw-scenario","MessageVersion":2}}"#,
    r#"{"RawWriteCmd":{"Id":1,"DeviceIndex":0,"Endpoint":"tx","Data":[0,1,2],"WriteWithResponse":false}}"#,
    r#"{"RawReadCmd":{"Id":1,"DeviceIndex":0,"Endpoint":"rx","ExpectedLength":0,"Timeout":100}}"#,
    r#"{"RawSubscribeCmd":{"Id":1,"DeviceIndex":0,"Endpoint":"rx"}}"#,
    r#"{"RawUnsubscribeCmd":{"Id":1,"DeviceIndex":0,"Endpoint":"rx"}}"#,
    r#"{"BatteryLevelCmd":{"Id":1,"DeviceIndex":0}}"#,
    r#"{"RSSILevelCmd":{"Id":1,"DeviceIndex":0}}"#,
];

const CLIENT_V3: &[&str] = &[
    r#"{"RequestServerInfo":{"Id":1,"ClientName":"raw-scenario","MessageVersion":3}}"#,
    r#"{"ScalarCmd":{"Id":2,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}"#,
    r#"{"SensorReadCmd":{"Id":5,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Battery"}}"#,
    r#"{"SensorSubscribeCmd":{"Id":5,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Battery"}}"#,
    r#"{"SensorUnsubscribeCmd":{"Id":5,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Battery"}}"#,
];

const CLIENT_V4: &[&str] = &[
    r#"{"RequestServerInfo":{"Id":1,"ClientName":"x","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}"#,
    r#"{"Ping":{"Id":5}}"#,
    r#"{"StartScanning":{"Id":2}}"#,
    r#"{"StopScanning":{"Id":6}}"#,
    r#"{"RequestDeviceList":{"Id":3}}"#,
    r#"{"OutputCmd":{"Id":1,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}}}}"#,
    r#"{"OutputCmd":{"Id":2,"DeviceIndex":1,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":91,"Duration":150}}}}"#,
    r#"{"OutputCmd":{"Id":2,"DeviceIndex":1,"FeatureIndex":0,"Command":{"Rotate":{"Value":-5}}}}"#,
    r#"{"InputCmd":{"Id":3,"DeviceIndex":0,"FeatureIndex":1,"Type":"Battery","Command":"Read"}}"#,
    r#"{"InputCmd":{"Id":3,"DeviceIndex":0,"FeatureIndex":1,"Type":"Battery","Command":"Subscribe"}}"#,
    r#"{"StopCmd":{"Id":4,"Inputs":true,"Outputs":true}}"#,
    r#"{"StopCmd":{"Id":4,"DeviceIndex":6,"FeatureIndex":0,"Inputs":false,"Outputs":true}}"#,
    r#"{"Disconnect":{"Id":9}}"#,
];

#[test]
fn every_client_message_of_every_version_round_trips() {
    for (version, messages) in [
        (SpecVersion::V0, CLIENT_V0),
        (SpecVersion::V1, CLIENT_V1),
        (SpecVersion::V2, CLIENT_V2),
        (SpecVersion::V3, CLIENT_V3),
        (SpecVersion::V4, CLIENT_V4),
    ] {
        for wire in messages {
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
    for wire in CLIENT_V4 {
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
    let scalar: AnyClientMessage = serde_json::from_str(CLIENT_V3[1]).expect("parses");
    assert!(!scalar.available_in(SpecVersion::V2));
    assert!(!scalar.available_in(SpecVersion::V4));
    let output: AnyClientMessage = serde_json::from_str(CLIENT_V4[5]).expect("parses");
    assert!(!output.available_in(SpecVersion::V3));
    let vibrate: AnyClientMessage = serde_json::from_str(CLIENT_V1[1]).expect("parses");
    assert!(!vibrate.available_in(SpecVersion::V0));
    let log: AnyClientMessage = serde_json::from_str(CLIENT_V0[7]).expect("parses");
    assert!(!log.available_in(SpecVersion::V2));
}

#[test]
fn v4_server_messages_round_trip() {
    for wire in [
        r#"{"Ok":{"Id":2}}"#,
        r#"{"Error":{"Id":7,"ErrorMessage":"text","ErrorCode":3}}"#,
        r#"{"ServerInfo":{"Id":1,"MaxPingTime":0,"ProtocolVersionMajor":4,"ProtocolVersionMinor":0,"ServerName":"Buttplug Server"}}"#,
        r#"{"ScanningFinished":{"Id":0}}"#,
        r#"{"InputReading":{"Id":3,"DeviceIndex":0,"FeatureIndex":1,"Reading":{"Battery":{"Value":50}}}}"#,
        r#"{"DeviceList":{"Id":0,"Devices":{"0":{"DeviceIndex":0,"DeviceName":"Test Vibrator","DeviceMessageTimingGap":0,
            "DeviceFeatures":{"0":{"FeatureIndex":0,"FeatureDescription":"Clitoral Stimulator","Output":{"Vibrate":{"Value":[0,20]}}},
                              "1":{"FeatureIndex":1,"FeatureDescription":"Battery","Input":{"Battery":{"Value":[[0,100]],"Command":["Read"]}}}}}}}}"#,
        r#"{"DeviceList":{"Id":0,"Devices":{"1":{"DeviceIndex":1,"DeviceName":"Stroker","DeviceMessageTimingGap":100,
            "DeviceFeatures":{"0":{"FeatureIndex":0,"FeatureDescription":"","Output":{"HwPositionWithDuration":{"Value":[0,100],"Duration":[0,10000]}}}}}}}}"#,
    ] {
        round_trip::<ServerMessage>(wire);
    }
}

#[test]
fn legacy_server_messages_round_trip() {
    for wire in [
        r#"{"ServerInfo":{"BuildVersion":0,"Id":1,"MajorVersion":0,"MaxPingTime":0,"MessageVersion":0,"MinorVersion":0,"ServerName":"Buttplug Server"}}"#,
        r#"{"DeviceAdded":{"DeviceIndex":2,"DeviceMessages":["SingleMotorVibrateCmd","StopDeviceCmd"],"DeviceName":"Aneros Vivi","Id":0}}"#,
        r#"{"DeviceList":{"Devices":[{"DeviceIndex":2,"DeviceMessages":["SingleMotorVibrateCmd","StopDeviceCmd"],"DeviceName":"Aneros Vivi"}],"Id":3}}"#,
        r#"{"DeviceRemoved":{"DeviceIndex":2,"Id":0}}"#,
        r#"{"Log":{"Id":0,"LogLevel":"Info","LogMessage":"hello"}}"#,
        r#"{"Test":{"Id":3,"TestString":"hello"}}"#,
        r#"{"ScanningFinished":{"Id":0}}"#,
        r#"{"Ok":{"Id":4}}"#,
        r#"{"Error":{"Id":4,"ErrorMessage":"nope","ErrorCode":4}}"#,
    ] {
        round_trip::<ServerMessageV0>(wire);
    }
    for wire in [
        r#"{"ServerInfo":{"BuildVersion":0,"Id":1,"MajorVersion":0,"MaxPingTime":0,"MessageVersion":1,"MinorVersion":0,"ServerName":"Buttplug Server"}}"#,
        r#"{"DeviceAdded":{"DeviceIndex":3,"DeviceMessages":{"SingleMotorVibrateCmd":{},"StopDeviceCmd":{},"VibrateCmd":{"FeatureCount":2}},"DeviceName":"Aneros Vivi","Id":0}}"#,
        r#"{"ServerInfo":{"Id":1,"MaxPingTime":0,"MessageVersion":2,"ServerName":"Buttplug Server"}}"#,
        r#"{"DeviceList":{"Devices":[{"DeviceIndex":4,"DeviceMessages":{"StopDeviceCmd":{},"VibrateCmd":{"FeatureCount":2,"StepCount":[127,127]}},"DeviceName":"Aneros Vivi"}],"Id":3}}"#,
        r#"{"RawReading":{"Id":1,"DeviceIndex":0,"Endpoint":"rx","Data":[1,2,3]}}"#,
        r#"{"BatteryLevelReading":{"Id":1,"DeviceIndex":0,"BatteryLevel":0.5}}"#,
        r#"{"RSSILevelReading":{"Id":1,"DeviceIndex":0,"RSSILevel":-40}}"#,
    ] {
        round_trip::<ServerMessageV2>(wire);
    }
    for wire in [
        r#"{"ServerInfo":{"Id":1,"MaxPingTime":0,"MessageVersion":3,"ServerName":"Buttplug Server"}}"#,
        r#"{"DeviceAdded":{"DeviceIndex":5,"DeviceMessageTimingGap":100,"DeviceMessages":{"ScalarCmd":[{"ActuatorType":"Vibrate","FeatureDescriptor":"Perineum Vibrator","StepCount":127},{"ActuatorType":"Vibrate","FeatureDescriptor":"Internal Vibrator","StepCount":127}],"StopDeviceCmd":{}},"DeviceName":"Aneros Vivi","Id":0}}"#,
        r#"{"DeviceList":{"Devices":[{"DeviceIndex":0,"DeviceName":"x","DeviceMessages":{"SensorReadCmd":[{"FeatureDescriptor":"Battery","SensorType":"Battery","SensorRange":[[0,100]]}],"StopDeviceCmd":{}}}],"Id":1}}"#,
        r#"{"SensorReading":{"Id":5,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Battery","Data":[50]}}"#,
    ] {
        round_trip::<ServerMessageV3>(wire);
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

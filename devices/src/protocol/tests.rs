//! Byte tables: commands in, the exact bytes each protocol writes out, from public protocol
//! facts (the Buttplug project's device tests).

use plugwire_core::message::{DeviceFeature, OutputCommand, OutputType, PositionWithDuration};

use super::*;
use crate::scheduler::OutputState;

/// The registered protocol `name` for a device advertising `device`.
fn protocol(name: &str, device: &str) -> Box<dyn Protocol> {
    by_name(name, device).expect("a registered protocol")
}

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
        .collect()
}

fn vibrate(feature: u32, value: i32) -> (u32, OutputCommand) {
    (feature, OutputCommand::new(OutputType::Vibrate, value))
}

fn rotate(value: i32) -> (u32, OutputCommand) {
    (0, OutputCommand::new(OutputType::Rotate, value))
}

fn move_to(value: i32, duration: u32) -> (u32, OutputCommand) {
    (
        0,
        OutputCommand::HwPositionWithDuration(PositionWithDuration { value, duration }),
    )
}

/// One step of a table: the commands, then the writes expected as (endpoint, hex bytes, with
/// response).
type Step<'a> = (&'a [(u32, OutputCommand)], &'a [(Endpoint, &'a str, bool)]);

/// Feeds each step's commands (on top of `initial` outputs) and compares the writes:
/// (commands, expected writes as (endpoint, hex, with response)).
fn table(mut protocol: Box<dyn Protocol>, initial: &[(u32, OutputCommand)], steps: &[Step<'_>]) {
    // The model: one feature per distinct feature index in `initial`, with those outputs.
    let mut features: Vec<DeviceFeature> = Vec::new();
    let mut state = OutputState::new();
    for (feature, command) in initial {
        let index = usize::try_from(*feature).expect("small index");
        while features.len() <= index {
            features.push(DeviceFeature {
                feature_index: u32::try_from(features.len()).expect("small"),
                feature_description: String::new(),
                output: Default::default(),
                input: Default::default(),
            });
        }
        features[index].output.insert(
            command.output_type(),
            plugwire_core::message::OutputLimits {
                value: plugwire_core::message::Range::new(-255, 255),
                duration: None,
            },
        );
        state.insert((*feature, command.output_type()), *command);
    }
    protocol.configure(&features);
    for (changed, expected) in steps {
        for (feature, command) in *changed {
            state.insert((*feature, command.output_type()), *command);
        }
        let writes = protocol.writes(changed, &state);
        protocol.written(true);
        let expected: Vec<HardwareWrite> = expected
            .iter()
            .map(|(endpoint, bytes, response)| HardwareWrite::new(*endpoint, hex(bytes), *response))
            .collect();
        assert_eq!(writes, expected, "after {changed:?}");
    }
}

const TX: Endpoint = Endpoint::Tx;

#[test]
fn lovense_single_vibrator() {
    table(
        protocol("lovense", "LVS-Test"),
        &[vibrate(0, 0)],
        &[
            (
                &[vibrate(0, 10)],
                &[(TX, "56 69 62 72 61 74 65 3a 31 30 3b", false)],
            ),
            (
                &[vibrate(0, 0)],
                &[(TX, "56 69 62 72 61 74 65 3a 30 3b", false)],
            ),
        ],
    );
}

#[test]
fn lovense_two_vibrators_edge() {
    table(
        protocol("lovense", "LVS-Test"),
        &[vibrate(0, 0), vibrate(1, 0)],
        &[
            (
                &[vibrate(1, 15)],
                &[(TX, "56 69 62 72 61 74 65 32 3a 31 35 3b", false)],
            ),
            (
                &[vibrate(0, 0), vibrate(1, 0)],
                &[
                    (TX, "56 69 62 72 61 74 65 31 3a 30 3b", false),
                    (TX, "56 69 62 72 61 74 65 32 3a 30 3b", false),
                ],
            ),
        ],
    );
}

#[test]
fn lovense_rotation_changes_direction_once() {
    table(
        protocol("lovense", "LVS-Test"),
        &[vibrate(0, 0), rotate(0)],
        &[
            (
                &[rotate(10)],
                &[(TX, "52 6f 74 61 74 65 3a 31 30 3b", false)],
            ),
            (
                &[rotate(-5)],
                &[
                    (TX, "52 6f 74 61 74 65 43 68 61 6e 67 65 3b", false),
                    (TX, "52 6f 74 61 74 65 3a 35 3b", false),
                ],
            ),
            (&[rotate(-7)], &[(TX, "52 6f 74 61 74 65 3a 37 3b", false)]),
            // 0 keeps the direction, so no RotateChange.
            (&[rotate(0)], &[(TX, "52 6f 74 61 74 65 3a 30 3b", false)]),
        ],
    );
}

#[test]
fn lovense_many_outputs_use_mply() {
    table(
        protocol("lovense", "LVS-Test"),
        &[
            vibrate(0, 0),
            vibrate(1, 0),
            (2, OutputCommand::new(OutputType::Rotate, 0)),
        ],
        &[(
            &[vibrate(0, 10), vibrate(1, 10)],
            &[(TX, "4d 70 6c 79 3a 31 30 3a 31 30 3a 30 3b", false)],
        )],
    );
}

#[test]
fn lovense_replies_are_understood() {
    assert_eq!(
        lovense::model_code("Z:11:0082059AD3BD;").as_deref(),
        Some("Z")
    );
    assert_eq!(
        lovense::model_code("P:02:0082059AD3BD;").as_deref(),
        Some("P")
    );
    assert_eq!(
        lovense::model_code("EI:03:0082059AD3BD;").as_deref(),
        Some("EI-FW3")
    );
    assert_eq!(
        lovense::model_code("EI:01:0082059AD3BD;").as_deref(),
        Some("EI")
    );
    assert_eq!(lovense::model_code(""), None);
    assert_eq!(lovense::battery_level("100;"), Some(100));
    assert_eq!(lovense::battery_level("s85;"), Some(85));
    assert_eq!(lovense::battery_level("junk"), None);
}

#[test]
fn wevibe_nibbles() {
    table(
        protocol("wevibe", "Cougar"),
        &[vibrate(0, 0)],
        &[
            (&[vibrate(0, 8)], &[(TX, "0f 03 00 88 00 03 00 00", true)]),
            (&[vibrate(0, 12)], &[(TX, "0f 03 00 cc 00 03 00 00", true)]),
            (&[vibrate(0, 0)], &[(TX, "0f 00 00 00 00 00 00 00", true)]),
        ],
    );
    table(
        protocol("wevibe", "Cougar"),
        &[vibrate(0, 0), vibrate(1, 0)],
        &[(
            &[vibrate(0, 5), vibrate(1, 10)],
            &[(TX, "0f 03 00 5a 00 03 00 00", true)],
        )],
    );
    assert_eq!(
        protocol("wevibe", "Cougar").initialize(),
        vec![
            HardwareWrite::new(TX, hex("0f 03 00 99 00 03 00 00"), true),
            HardwareWrite::new(TX, hex("0f 00 00 00 00 00 00 00"), true),
        ]
    );
}

#[test]
fn wevibe_8bit() {
    table(
        protocol("wevibe-8bit", "Melt 2"),
        &[vibrate(0, 0)],
        &[
            (&[vibrate(0, 22)], &[(TX, "0f 03 00 19 19 03 00 00", true)]),
            (&[vibrate(0, 0)], &[(TX, "0f 00 00 00 00 00 00 00", true)]),
        ],
    );
    table(
        protocol("wevibe-8bit", "Melt 2"),
        &[vibrate(0, 0), vibrate(1, 0)],
        &[(&[vibrate(0, 12)], &[(TX, "0f 03 00 03 0f 01 00 00", true)])],
    );
}

#[test]
fn magic_motion_1() {
    table(
        protocol("magic-motion-1", "Smart Mini Vibe"),
        &[vibrate(0, 0)],
        &[
            (
                &[vibrate(0, 50)],
                &[(TX, "0b ff 04 0a 32 32 00 04 08 32 64 00", false)],
            ),
            (
                &[vibrate(0, 100)],
                &[(TX, "0b ff 04 0a 32 32 00 04 08 64 64 00", false)],
            ),
            (
                &[vibrate(0, 0)],
                &[(TX, "0b ff 04 0a 32 32 00 04 08 00 64 00", false)],
            ),
        ],
    );
}

#[test]
fn kiiroo_v21_and_svakom_v1() {
    table(
        protocol("kiiroo-v21", "Pearl"),
        &[vibrate(0, 0)],
        &[
            (&[vibrate(0, 50)], &[(TX, "01 32", false)]),
            (&[vibrate(0, 100)], &[(TX, "01 64", false)]),
            (&[vibrate(0, 0)], &[(TX, "01 00", false)]),
        ],
    );
    table(
        protocol("svakom-v1", "Ella"),
        &[vibrate(0, 0)],
        &[
            (&[vibrate(0, 10)], &[(TX, "55 04 03 00 01 0a", false)]),
            (&[vibrate(0, 0)], &[(TX, "55 04 03 00 00 00", false)]),
        ],
    );
}

#[test]
fn kiiroo_v2_launch_positions_and_speeds() {
    table(
        protocol("kiiroo-v2", "Launch"),
        &[],
        &[
            (&[move_to(99, 500)], &[(TX, "63 28", false)]),
            (&[move_to(0, 250)], &[(TX, "00 53", false)]),
            (&[move_to(99, 1000)], &[(TX, "63 13", false)]),
            (&[move_to(0, 100)], &[(TX, "00 db", false)]),
        ],
    );
    assert_eq!(
        protocol("kiiroo-v2", "Launch").initialize(),
        vec![HardwareWrite::new(Endpoint::Firmware, [0x00], true)]
    );
    assert_eq!(launch_speed(0.0, 500), 0.0);
}

#[test]
fn vorze_sa_rotation() {
    table(
        protocol("vorze-sa", "CycSA"),
        &[rotate(0)],
        &[
            (&[rotate(50)], &[(TX, "01 01 b2", true)]),
            (&[rotate(-99)], &[(TX, "01 01 63", true)]),
            (&[rotate(0)], &[(TX, "01 01 80", true)]),
        ],
    );
    table(
        protocol("vorze-sa", "UFOSA"),
        &[rotate(0)],
        &[(&[rotate(50)], &[(TX, "02 01 b2", true)])],
    );
    assert!(by_name("vorze-sa", "Something Else").is_none());
}

#[test]
fn device_state_advances_only_when_the_writes_arrive() {
    let state = |value: i32| {
        OutputState::from([(
            (0, OutputType::Rotate),
            OutputCommand::new(OutputType::Rotate, value),
        )])
    };
    let mut lovense = protocol("lovense", "LVS-Test");
    lovense.configure(&[DeviceFeature {
        feature_index: 0,
        feature_description: String::new(),
        output: [(
            OutputType::Rotate,
            plugwire_core::message::OutputLimits {
                value: plugwire_core::message::Range::new(-20, 20),
                duration: None,
            },
        )]
        .into(),
        input: Default::default(),
    }]);
    let change = HardwareWrite::new(TX, b"RotateChange;".to_vec(), false);
    // The direction change did not reach the device: it is sent again next time.
    assert!(lovense.writes(&[rotate(-5)], &state(-5)).contains(&change));
    lovense.written(false);
    assert!(lovense.writes(&[rotate(-6)], &state(-6)).contains(&change));
    lovense.written(true);
    assert!(!lovense.writes(&[rotate(-7)], &state(-7)).contains(&change));

    let mut launch = protocol("kiiroo-v2", "Launch");
    assert_eq!(
        launch.writes(&[move_to(99, 500)], &OutputState::new())[0].data,
        hex("63 28")
    );
    launch.written(false);
    // The device never went to 99, so the distance is still measured from 0.
    assert_eq!(
        launch.writes(&[move_to(99, 500)], &OutputState::new())[0].data,
        hex("63 28")
    );
    launch.written(true);
    assert_eq!(
        launch.writes(&[move_to(0, 250)], &OutputState::new())[0].data,
        hex("00 53")
    );
}

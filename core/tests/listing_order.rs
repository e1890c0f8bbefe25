//! The order a feature's outputs and inputs are written in a device list: the reference
//! server's, which is its device database's (sorted by name), so the Lovense Solace Pro,
//! OSSM, TCode v0.3 and umove strokers list `HwPositionWithDuration` first. The exact bytes
//! are checked, since a JSON value comparison ignores order.

use std::collections::BTreeMap;

use plugwire_core::message::{
    DeviceFeature, InputCommand, InputLimits, InputType, OutputLimits, OutputType, Range,
};

fn output(min: i32, max: i32, duration: Option<Range>) -> OutputLimits {
    OutputLimits {
        value: Range::new(min, max),
        duration,
    }
}

#[test]
fn a_stroker_lists_its_move_before_its_other_output_as_the_reference_does() {
    // The Solace Pro's first feature, as the database has it.
    let solace = DeviceFeature {
        feature_index: 0,
        feature_description: "Stroker position Based Movement".to_owned(),
        output: BTreeMap::from([
            (OutputType::Oscillate, output(0, 20, None)),
            (
                OutputType::HwPositionWithDuration,
                output(0, 100, Some(Range::new(0, 100_000))),
            ),
        ]),
        input: BTreeMap::new(),
    };
    assert_eq!(
        serde_json::to_string(&solace).expect("encodes"),
        r#"{"FeatureIndex":0,"FeatureDescription":"Stroker position Based Movement","Output":{"HwPositionWithDuration":{"Value":[0,100],"Duration":[0,100000]},"Oscillate":{"Value":[0,20]}}}"#
    );
    // TCode v0.3 and umove: a move and a position.
    let stroke = DeviceFeature {
        feature_index: 1,
        feature_description: String::new(),
        output: BTreeMap::from([
            (OutputType::Position, output(0, 632, None)),
            (
                OutputType::HwPositionWithDuration,
                output(0, 632, Some(Range::new(0, 10_000))),
            ),
        ]),
        input: BTreeMap::new(),
    };
    assert_eq!(
        serde_json::to_string(&stroke).expect("encodes"),
        r#"{"FeatureIndex":1,"FeatureDescription":"","Output":{"HwPositionWithDuration":{"Value":[0,632],"Duration":[0,10000]},"Position":{"Value":[0,632]}}}"#
    );
    // And it reads back the same.
    let back: DeviceFeature =
        serde_json::from_str(&serde_json::to_string(&stroke).expect("encodes")).expect("decodes");
    assert_eq!(back, stroke);
}

#[test]
fn every_output_and_input_type_has_its_place_in_the_listing_order() {
    let mut outputs = OutputType::LISTED.to_vec();
    outputs.sort();
    assert_eq!(outputs, OutputType::ALL);
    // Sorted by the database's names: the wire names sort the same way.
    let names: Vec<String> = OutputType::LISTED
        .iter()
        .map(|t| serde_json::to_string(t).expect("encodes"))
        .collect();
    assert!(names.is_sorted(), "{names:?}");

    let every_input = [
        InputType::Battery,
        InputType::Rssi,
        InputType::Button,
        InputType::Pressure,
        InputType::Depth,
        InputType::Position,
    ];
    let mut inputs = InputType::LISTED.to_vec();
    inputs.sort();
    assert_eq!(inputs, every_input);
    let names: Vec<String> = InputType::LISTED
        .iter()
        .map(|t| serde_json::to_string(t).expect("encodes"))
        .collect();
    assert!(names.is_sorted(), "{names:?}");

    // Every type at once, written in that order.
    let everything = DeviceFeature {
        feature_index: 0,
        feature_description: String::new(),
        output: OutputType::ALL
            .iter()
            .map(|&t| (t, output(0, 1, None)))
            .collect(),
        input: every_input
            .iter()
            .map(|&t| {
                let limits = InputLimits {
                    value: vec![Range::new(0, 1)],
                    command: vec![InputCommand::Read],
                };
                (t, limits)
            })
            .collect(),
    };
    let text = serde_json::to_string(&everything).expect("encodes");
    let at = |name: &str| text.find(&format!("\"{name}\":")).expect("written");
    let outputs: Vec<usize> = ["Constrict", "HwPositionWithDuration", "Led", "Oscillate"]
        .into_iter()
        .chain(["Position", "Rotate", "Spray", "Temperature", "Vibrate"])
        .map(at)
        .collect();
    assert!(outputs.is_sorted(), "{text}");
    let inputs: Vec<usize> = ["Battery", "Button", "Depth", "Pressure", "Rssi"]
        .into_iter()
        .map(at)
        .collect();
    assert!(inputs.is_sorted(), "{text}");
}

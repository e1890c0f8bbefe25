//! plugwire's own device-test cases (`devices/tests/device_cases/*.yaml`, in the Buttplug
//! device-test-case format), played through the runner: every protocol's bytes, identification
//! included.

use std::path::PathBuf;
use std::time::Duration;

use plugwire_test_support::device_cases::{CaseFailure, case_files, run_file, run_text};

/// The cases stay beside the protocols they test, in plugwire-devices.
fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../devices/tests/device_cases"
    ))
}

#[tokio::test(start_paused = true)]
async fn every_case_passes() {
    let files = case_files(&[cases_dir()]).expect("the cases folder");
    assert!(files.len() >= 16, "{files:?}");
    let mut failures = Vec::new();
    for file in files {
        let report = run_file(&file).await;
        if let Err(failure) = report.result {
            failures.push(format!("{}: {failure}", report.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(start_paused = true)]
async fn a_wrong_byte_is_the_first_difference() {
    let case = std::fs::read_to_string(cases_dir().join("plugwire_lovense_lush.yaml"))
        .expect("the Lush case");
    // "Vibrate:10;" becomes "Vibrate:11;".
    let wrong = case.replacen(
        "[86, 105, 98, 114, 97, 116, 101, 58, 49, 48, 59]",
        "[86, 105, 98, 114, 97, 116, 101, 58, 49, 49, 59]",
        1,
    );
    assert_ne!(wrong, case);
    let result = tokio::time::timeout(Duration::from_secs(60), run_text(&wrong, &cases_dir()))
        .await
        .expect("in time");
    match result {
        Err(CaseFailure::Different { expected, got, .. }) => {
            assert_eq!(expected, r#"write "Vibrate:11;" to tx"#);
            assert_eq!(got, r#"write "Vibrate:10;" to tx"#);
        }
        other => panic!("expected a difference, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_device_no_protocol_drives_is_reported() {
    // No BLE device's protocol is left undriven, so a user configuration lends the XInput
    // gamepads (driven by no protocol here) a Bluetooth name.
    let case = r#"
user_device_config_file: "plugwire_gamepad_by_bluetooth_user_config.json"
devices:
  - identifier:
      name: "BLE Gamepad"
device_commands: []
"#;
    let failure = run_text(case, &cases_dir().join("config"))
        .await
        .expect_err("no driver");
    assert!(
        failure
            .to_string()
            .contains("plugwire has no driver for it yet"),
        "{failure}"
    );
}

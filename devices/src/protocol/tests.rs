//! What the device-test cases (`devices/tests/device_cases`, the bytes each protocol writes)
//! cannot say: the registry, reply parsing, and protocol state that must advance only when its
//! writes reach the device.

use plugwire_core::message::{OutputCommand, OutputType, PositionWithDuration};

use super::*;
use crate::config::DeviceConfig;
use crate::scheduler::OutputState;

fn protocol(name: &str, device: &str) -> Box<dyn Protocol> {
    by_name(name, device).expect("a registered protocol")
}

fn rotate(value: i32) -> (u32, OutputCommand) {
    (1, OutputCommand::new(OutputType::Rotate, value))
}

fn move_to(value: i32, duration: u32) -> (u32, OutputCommand) {
    (
        0,
        OutputCommand::HwPositionWithDuration(PositionWithDuration { value, duration }),
    )
}

#[test]
fn the_registry_knows_its_protocols_and_their_variants() {
    assert!(implemented().all(is_implemented));
    assert!(by_name("teleporter", "x").is_none());
    // Vorze SA drives its rotators from names it knows; other names have no driver.
    assert!(by_name("vorze-sa", "Something Else").is_none());
    assert!(drives("vorze-sa", Some("vorze-sa-dual-rotator")));
    assert!(!drives("vorze-sa", Some("vorze-sa-piston")));
    assert!(drives("lovense", None));
    assert!(drives("satisfyer", None));
    assert!(drives("galaku", None) && drives("galaku-pump", None));
    assert!(!drives("mysteryvibe", None));
}

#[test]
fn lovense_replies_and_names_are_understood() {
    assert_eq!(lovense::model_code("Z:11:0082059AD3BD;"), "Z");
    assert_eq!(lovense::model_code("P:02:0082059AD3BD;"), "P");
    assert_eq!(lovense::model_code("EI:03:0082059AD3BD;"), "EI-FW3");
    assert_eq!(lovense::model_code("EI:01:0082059AD3BD;"), "EI");
    // A reply without fields names no model: the defaults apply.
    assert_eq!(lovense::model_code("OK;"), "lovense");
    assert_eq!(lovense::model_from_name("LVS-Z36").as_deref(), Some("Z"));
    assert_eq!(lovense::model_from_name("LVS-EI123").as_deref(), Some("EI"));
    assert_eq!(lovense::model_from_name("LVS-Lush"), None);
    assert_eq!(lovense::model_from_name("LOVE-A01"), None);
    assert_eq!(lovense::battery_level("100;"), Some(100));
    assert_eq!(lovense::battery_level("s85;"), Some(85));
    assert_eq!(lovense::battery_level("OK;"), None);
    assert_eq!(lovense::battery_level(""), None);
}

#[test]
fn satisfyer_model_numbers_are_big_endian() {
    assert_eq!(satisfyer::model_number(&[0x00, 0x00, 0x27, 0x15]), "10005");
    assert_eq!(satisfyer::model_number(&[0x00, 0x00, 0x27, 0xb0]), "10160");
    // Too short or too long: model 0, which no model has, so the protocol's defaults.
    assert_eq!(satisfyer::model_number(&[0x27, 0x15]), "0");
    assert_eq!(satisfyer::model_number(&[0, 0, 0, 0x27, 0x15]), "0");
}

#[test]
fn device_state_advances_only_when_the_writes_arrive() {
    let state = |value: i32| OutputState::from([((1, OutputType::Rotate), rotate(value).1)]);
    let nora = DeviceConfig::builtin()
        .definition("lovense", "A")
        .expect("the Nora");
    let mut lovense = protocol("lovense", "LVS-A011");
    lovense.configure(&nora);
    let change = HardwareWrite::new(Endpoint::Tx, b"RotateChange;".to_vec(), false);
    // The direction change did not reach the device: it is sent again next time.
    assert!(lovense.writes(&[rotate(-5)], &state(-5)).contains(&change));
    lovense.written(false);
    assert!(lovense.writes(&[rotate(-6)], &state(-6)).contains(&change));
    lovense.written(true);
    assert!(!lovense.writes(&[rotate(-7)], &state(-7)).contains(&change));

    let mut launch = protocol("kiiroo-v2", "Launch");
    assert_eq!(
        launch.writes(&[move_to(99, 500)], &OutputState::new())[0].data,
        [0x63, 0x28]
    );
    launch.written(false);
    // The device never went to 99, so the distance is still measured from 0.
    assert_eq!(
        launch.writes(&[move_to(99, 500)], &OutputState::new())[0].data,
        [0x63, 0x28]
    );
    launch.written(true);
    assert_eq!(
        launch.writes(&[move_to(0, 250)], &OutputState::new())[0].data,
        [0x00, 0x53]
    );
    assert_eq!(launch_speed(0.0, 500), 0.0);
}

#[tokio::test(start_paused = true)]
async fn a_satisfyer_hears_its_packet_every_half_second_from_the_start() {
    use std::sync::Arc;

    use crate::recording::RecordingHardware;
    use crate::{DeviceManager, attach};

    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("SF Hot Spot"));
    hardware.queue_read(Endpoint::RxBleModel, &[0x00, 0x00, 0x27, 0x15]);
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "satisfyer",
        hardware.clone(),
    )
    .await
    .expect("attach");
    let connected = tokio::time::Instant::now();
    let tx = |w: &crate::recording::RecordedWrite| w.write.endpoint == Endpoint::Tx;
    // Before any command: the stop packet, then again every 500 ms.
    let writes = hardware
        .wait_for(|w| w.iter().filter(|w| tx(w)).count() >= 3)
        .await;
    let repeats: Vec<_> = writes.iter().filter(|w| tx(w)).collect();
    assert!(repeats.iter().all(|w| w.write.data == [0; 4]));
    assert_eq!(repeats[1].at - connected, Duration::from_millis(500));
    assert_eq!(repeats[2].at - connected, Duration::from_millis(1000));

    // A command, then silence: the new speed is what is repeated, 500 ms after it.
    manager
        .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 40))
        .expect("valid");
    let commanded = tokio::time::Instant::now();
    let writes = hardware
        .wait_for(|w| w.iter().filter(|w| w.write.data == [40; 4]).count() >= 2)
        .await;
    let sent: Vec<_> = writes.iter().filter(|w| w.write.data == [40; 4]).collect();
    // At most one message gap after it (a keep-alive may just have gone out).
    assert!(sent[0].at - commanded <= Duration::from_millis(50));
    assert_eq!(sent[1].at - sent[0].at, Duration::from_millis(500));
}

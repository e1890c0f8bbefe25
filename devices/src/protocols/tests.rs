//! What the device-test cases (`devices/tests/device_cases`, the bytes each protocol writes)
//! cannot say: the registry, reply parsing, and protocol state that must advance only when its
//! writes reach the device.

use plugwire_core::message::{OutputCommand, OutputType, PositionWithDuration};

use std::time::Duration;

use futures::future::BoxFuture;

use super::kiiroo_v2::launch_speed;
use super::*;
use crate::config::DeviceConfig;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

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
    assert!(drives("vorze-sa", Some("vorze-sa-piston")));
    assert!(!drives("vorze-sa", Some("vorze-sa-teleporter")));
    assert!(drives("lovense", None));
    assert!(drives("satisfyer", None));
    assert!(drives("galaku", None) && drives("galaku-pump", None));
    assert!(!drives("xinput", None));
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

/// The bytes of each write.
fn bytes(writes: &[HardwareWrite]) -> Vec<Vec<u8>> {
    writes.iter().map(|w| w.data.clone()).collect()
}

#[test]
fn joyhub_switches_heat_and_light_on_and_off() {
    let mut joyhub = protocol("joyhub", "J-Rainbow");
    let set = |feature: u32, output_type: OutputType, value: i32| {
        let command = OutputCommand::new(output_type, value);
        let state = OutputState::from([((feature, output_type), command)]);
        ((feature, command), state)
    };
    let (change, state) = set(6, OutputType::Led, 1);
    assert_eq!(
        bytes(&joyhub.writes(&[change], &state)),
        [[0xa0, 0x14, 0x01, 0x00, 0x01, 0xff]]
    );
    let (change, state) = set(6, OutputType::Led, 0);
    assert_eq!(
        bytes(&joyhub.writes(&[change], &state)),
        [[0xa0, 0x14, 0x00, 0x00, 0x00, 0x00]]
    );
    let (change, state) = set(6, OutputType::Temperature, 1);
    assert_eq!(
        bytes(&joyhub.writes(&[change], &state)),
        [[0xa0, 0x04, 0x01, 0x00, 0x01, 0xff]]
    );
    assert_eq!(joyhub.keepalive(), None);
}

#[tokio::test(start_paused = true)]
async fn joyhub_turns_the_lube_pump_off_a_second_after_it_started() {
    let second = Duration::from_secs(1);
    let pump = |value: i32| {
        let command = OutputCommand::new(OutputType::Spray, value);
        (
            (7, command),
            OutputState::from([((7, OutputType::Spray), command)]),
        )
    };
    let vibrate = |value: i32| {
        let command = OutputCommand::new(OutputType::Vibrate, value);
        (
            (1, command),
            OutputState::from([((1, OutputType::Vibrate), command)]),
        )
    };
    let on = [0xa0, 0x24, 0x01, 0x00, 0x01, 0xff];
    let off = [0xa0, 0x24, 0x00, 0x00, 0x00, 0x00];
    let mut joyhub = protocol("joyhub", "J-Dodge");

    // Left alone, the keep-alive brings the off a second later, and only that.
    let (change, state) = pump(1);
    assert_eq!(bytes(&joyhub.writes(&[change], &state)), [on]);
    assert_eq!(joyhub.keepalive(), Some(second));
    tokio::time::advance(second).await;
    assert_eq!(bytes(&joyhub.keepalive_writes(&state)), [off]);
    assert_eq!(joyhub.keepalive(), None);

    // Other writes meanwhile do not put it off: the keep-alive is counted from them, and a
    // write past the second carries the off itself.
    let (change, state) = pump(0);
    assert_eq!(bytes(&joyhub.writes(&[change], &state)), [off]);
    let (change, state) = pump(1);
    joyhub.writes(&[change], &state);
    tokio::time::advance(Duration::from_millis(600)).await;
    let (change, state) = vibrate(10);
    assert_eq!(
        bytes(&joyhub.writes(&[change], &state)),
        [[0xa0, 0x03, 0x00, 0x0a, 0x00, 0x00, 0xaa]]
    );
    assert_eq!(joyhub.keepalive(), Some(Duration::from_millis(400)));
    tokio::time::advance(Duration::from_millis(500)).await;
    let (change, state) = vibrate(20);
    assert_eq!(
        bytes(&joyhub.writes(&[change], &state)),
        [
            [0xa0, 0x03, 0x00, 0x14, 0x00, 0x00, 0xaa].to_vec(),
            off.to_vec()
        ]
    );
    assert_eq!(joyhub.keepalive(), None);

    // Turning the pump off before its second is up cancels the timed off.
    let (change, state) = pump(1);
    joyhub.writes(&[change], &state);
    let (change, state) = pump(0);
    joyhub.writes(&[change], &state);
    assert_eq!(joyhub.keepalive(), None);
}

#[test]
fn sexverse_v3_repeats_only_its_last_packet_and_leaves_oscillators_alone() {
    let mut zeus = protocol("sexverse-v3", "TA-S001A");
    assert_eq!(zeus.keepalive(), Some(Duration::from_millis(100)));
    // Nothing to repeat before the first write.
    assert!(zeus.keepalive_writes(&OutputState::new()).is_empty());
    let vibrate = OutputCommand::new(OutputType::Vibrate, 7);
    let oscillate = OutputCommand::new(OutputType::Oscillate, 9);
    let state = OutputState::from([
        ((0, OutputType::Vibrate), vibrate),
        ((1, OutputType::Oscillate), oscillate),
    ]);
    // buttplug-rs has no packet for the Zeus's oscillator; it is not guessed at here.
    let writes = zeus.writes(&[(0, vibrate), (1, oscillate)], &state);
    assert_eq!(bytes(&writes), [[0xa1, 0x04, 0x07, 0x01]]);
    assert!(writes.iter().all(|w| w.with_response));
    assert!(zeus.writes(&[(1, oscillate)], &state).is_empty());
    assert_eq!(
        bytes(&zeus.keepalive_writes(&state)),
        [[0xa1, 0x04, 0x07, 0x01]]
    );
}

#[test]
fn svakom_v2_has_a_packet_for_a_second_vibrator() {
    // No model of the database has one yet; buttplug-rs has the packet all the same.
    let mut svakom = protocol("svakom-v2", "Viviana");
    let second = OutputCommand::new(OutputType::Vibrate, 6);
    let state = OutputState::from([((1, OutputType::Vibrate), second)]);
    let writes = svakom.writes(&[(1, second)], &state);
    assert_eq!(bytes(&writes), [[0x55, 0x06, 0x01, 0x00, 0x06, 0x06]]);
    assert!(writes.iter().all(|w| w.with_response));
}

#[test]
fn the_cyclone_x10_turns_by_ascii_digits() {
    // A USB HID device: no advertised name for a case to match.
    let mut cyclone = protocol("vorze-cyclone-x", "Cyclone X10");
    let turning = |value: i32| {
        OutputState::from([(
            (0, OutputType::Rotate),
            OutputCommand::new(OutputType::Rotate, value),
        )])
    };
    let counter_clockwise_7 = [
        0x00, 0x3c, 0x30, 0x31, 0x35, 0x32, 0x30, 0x31, 0x37, 0x30, 0x30, 0x01, 0x02, 0x03, 0x68,
        0x3e,
    ];
    assert_eq!(
        bytes(&cyclone.writes(&[], &turning(-7))),
        vec![counter_clockwise_7.to_vec()]
    );
    assert_eq!(vorze_cyclone_x::report(10)[7..9], [0x30, 0x3a]);
    assert_eq!(vorze_cyclone_x::report(0)[7..9], [0x30, 0x30]);
}

#[test]
fn a_cueme_takes_turns_between_its_running_motors() {
    let config = DeviceConfig::builtin();
    let womans = config.definition("cueme", "3").expect("the Womans");
    let mut cueme = protocol("cueme", "FUNCODE_A1_3");
    cueme.configure(&womans);
    let vibrate = |value: i32| OutputCommand::new(OutputType::Vibrate, value);
    let mut state = OutputState::from([((2, OutputType::Vibrate), vibrate(6))]);
    assert_eq!(bytes(&cueme.writes(&[], &state)), vec![vec![0x36]]);
    // One motor running: nothing to take turns with.
    assert_eq!(cueme.keepalive(), None);
    state.insert((0, OutputType::Vibrate), vibrate(15));
    assert_eq!(bytes(&cueme.writes(&[], &state)), vec![vec![0x36]]);
    assert_eq!(cueme.keepalive(), Some(Duration::from_millis(500)));
    assert_eq!(bytes(&cueme.keepalive_writes(&state)), vec![vec![0x1f]]);
    assert_eq!(bytes(&cueme.keepalive_writes(&state)), vec![vec![0x36]]);
    // The motor that had the device stops: the other one gets it at once.
    state.insert((2, OutputType::Vibrate), vibrate(0));
    assert_eq!(bytes(&cueme.writes(&[], &state)), vec![vec![0x1f]]);
    state.insert((0, OutputType::Vibrate), vibrate(0));
    assert_eq!(bytes(&cueme.writes(&[], &state)), vec![vec![0x00]]);
}

#[test]
fn the_ciphers_match_their_standards_examples() {
    use super::cipher::{Aes128, sha256};

    // FIPS-197, appendix C.1.
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let plain: Vec<u8> = (0..16u8).map(|i| i * 0x11).collect();
    let aes = Aes128::new(&key);
    let sealed = aes.encrypt(&plain);
    assert_eq!(
        sealed[..16],
        [
            0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4,
            0xc5, 0x5a
        ]
    );
    // A whole block of padding follows a whole block of data.
    assert_eq!(sealed.len(), 32);
    assert_eq!(aes.decrypt(&sealed).as_deref(), Some(plain.as_slice()));
    assert_eq!(aes.decrypt(&sealed[..15]), None);
    // FIPS 180-2, appendix B.1.
    assert_eq!(
        sha256(b"abc")[..8],
        [0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea]
    );
    assert_eq!(sha256(b"")[..4], [0xe3, 0xb0, 0xc4, 0x42]);
}

#[tokio::test(start_paused = true)]
async fn a_vibcrafter_answers_its_challenge_before_it_is_driven() {
    use std::sync::Arc;

    use super::cipher::Aes128;
    use crate::recording::RecordingHardware;
    use crate::{DeviceManager, attach};

    let cipher = Aes128::new(vibcrafter::KEY);
    let plain = |data: &[u8]| String::from_utf8(cipher.decrypt(data).expect("encrypted"));
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("Janna"));
    let attaching = tokio::spawn({
        let (manager, hardware) = (manager.clone(), hardware.clone());
        async move { attach(&manager, &DeviceConfig::builtin(), "vibcrafter", hardware).await }
    });
    // A random nonce first.
    let writes = hardware.wait_for(|w| !w.is_empty()).await;
    let first = plain(&writes[0].write.data).expect("text");
    assert!(first.starts_with("Auth:") && first.ends_with(';') && first.len() == 12);
    assert!(hardware.notify(Endpoint::Rx, &cipher.encrypt(b"ab12:Xy7Q;")));
    // The challenge's answer: the first two bytes of SHA-256("Xy7Q").
    let writes = hardware.wait_for(|w| w.len() >= 2).await;
    assert_eq!(plain(&writes[1].write.data).as_deref(), Ok("Auth:b145;"));
    assert!(hardware.notify(Endpoint::Rx, &cipher.encrypt(b"OK;")));
    let index = attaching.await.expect("task").expect("attached");
    manager
        .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 7))
        .expect("valid");
    let writes = hardware.wait_for(|w| w.len() >= 3).await;
    assert_eq!(plain(&writes[2].write.data).as_deref(), Ok("MtInt:0700;"));
    assert_eq!(super::cipher::challenge_answer("OK;"), None);
    assert_eq!(super::cipher::challenge_answer("ab1:Xy7Q;"), None);
}

#[test]
fn ankni_checks_the_address_with_the_crc_high_byte() {
    // Buttplug's own case: this address takes c1.
    let address = [0xa2, 0x31, 0x35, 0x53, 0x52, 0xd8];
    let [first, second] = <[Vec<u8>; 2]>::try_from(ankni::handshake(&address)).expect("two");
    assert_eq!(first, [0x01; 20]);
    let mut expected = vec![0x01, 0x02];
    expected.extend([0xc1; 16]);
    expected.extend([0x00, 0x00]);
    assert_eq!(second, expected);
    // The CRC-16/XMODEM check value.
    assert_eq!(ankni::crc16_xmodem(b"123456789"), 0x31c3);
}

#[test]
fn fredorch_picks_the_slowest_speed_that_is_fast_enough() {
    // The CRC-16/MODBUS check value, low byte first.
    assert_eq!(fredorch::crc16_modbus(b"123456789"), [0x37, 0x4b]);
    assert_eq!(fredorch::speed_for(0, 1000), 0);
    // One position in 1000 ms: speed 2 takes 800 ms (speed 1, 1000 ms, is not sooner).
    assert_eq!(fredorch::speed_for(1, 1000), 2);
    assert_eq!(fredorch::speed_for(3, 1000), 4);
    // Faster than any speed goes: the fastest.
    assert_eq!(fredorch::speed_for(12, 100), 20);
    // Farther than the table: as far as it goes.
    assert_eq!(fredorch::speed_for(40, 9000), 1);
}

#[test]
fn fredorch_rotary_counts_steps_from_the_speed_the_device_reached() {
    let mut rotary = protocol("fredorch-rotary", "M1_A3F0");
    let oscillate = |value| (0, OutputCommand::new(OutputType::Oscillate, value));
    let up = [0x55, 0x03, 0x01, 0x04, 0xaa];
    assert_eq!(
        bytes(&rotary.writes(&[oscillate(2)], &OutputState::new())),
        [up, up]
    );
    // Those steps never arrived: the next target is counted from where it still is.
    rotary.written(false);
    assert_eq!(
        bytes(&rotary.writes(&[oscillate(3)], &OutputState::new())),
        [up, up, up]
    );
    rotary.written(true);
    assert_eq!(
        bytes(&rotary.writes(&[oscillate(1)], &OutputState::new())),
        [[0x55, 0x03, 0x02, 0x05, 0xaa]; 2]
    );
}

#[test]
fn leten_and_hgod_are_kept_awake() {
    let leten = protocol("leten", "T528-LT");
    assert_eq!(leten.keepalive(), Some(Duration::from_secs(1)));
    let mut hgod = protocol("hgod", "AMN NEO");
    let vibrate = |value| OutputCommand::new(OutputType::Vibrate, value);
    let running = OutputState::from([((0, OutputType::Vibrate), vibrate(4))]);
    assert!(hgod.keepalive().is_none());
    hgod.writes(&[(0, vibrate(4))], &running);
    assert_eq!(hgod.keepalive(), Some(Duration::from_millis(100)));
    assert_eq!(
        bytes(&hgod.keepalive_writes(&running)),
        [[0x55, 0x04, 0x00, 0x00, 0x00, 0x04]]
    );
    // Stopped: nothing is written, and nothing repeated.
    let stopped = OutputState::from([((0, OutputType::Vibrate), vibrate(0))]);
    assert!(hgod.writes(&[(0, vibrate(0))], &stopped).is_empty());
    assert!(hgod.keepalive().is_none());
}

#[tokio::test(start_paused = true)]
async fn kgoal_boost_reports_each_pressure_change_once_listed() {
    use std::sync::Arc;

    use plugwire_core::message::{InputReadingValue, InputType};

    use crate::recording::{HardwareCommand, RecordingHardware};
    use crate::{DeviceEvent, DeviceManager, attach};

    let manager = Arc::new(DeviceManager::new());
    let mut events = manager.subscribe();
    let hardware = Arc::new(RecordingHardware::new("Boost"));
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "kgoal-boost",
        hardware.clone(),
    )
    .await
    .expect("attach");
    let subscribed = hardware
        .next_command(0, Duration::from_secs(1))
        .await
        .expect("a subscription");
    assert_eq!(
        subscribed.command,
        HardwareCommand::Subscribe(Endpoint::RxPressure)
    );
    let pressure = |feature_index, value| DeviceEvent::InputReading {
        device_index: index,
        feature_index,
        reading: InputReadingValue::new(InputType::Pressure, value),
    };
    let mut next_reading = async || loop {
        let event = tokio::time::timeout(Duration::from_secs(1), events.recv())
            .await
            .expect("a reading in time")
            .expect("the manager's events");
        if matches!(event, DeviceEvent::InputReading { .. }) {
            return event;
        }
    };
    hardware.notify(
        Endpoint::RxPressure,
        &[0x00, 0x01, 0x04, 0x00, 0x05, 0x01, 0xd3],
    );
    assert_eq!(next_reading().await, pressure(0, 5));
    assert_eq!(next_reading().await, pressure(1, 0x1d3));
    // Unchanged, then too short: nothing; then only the raw reading changed.
    hardware.notify(
        Endpoint::RxPressure,
        &[0x00, 0x01, 0x04, 0x00, 0x05, 0x01, 0xd3],
    );
    hardware.notify(Endpoint::RxPressure, &[0x00, 0x01, 0x04, 0x00, 0x09]);
    hardware.notify(
        Endpoint::RxPressure,
        &[0x00, 0x01, 0x04, 0x00, 0x05, 0x02, 0x00],
    );
    assert_eq!(next_reading().await, pressure(1, 0x200));
}

/// Recording hardware without some endpoints: every use of one fails as on a unit that
/// lacks it.
struct Lacking {
    inner: crate::recording::RecordingHardware,
    missing: &'static [Endpoint],
}

impl Lacking {
    fn check(&self, endpoint: Endpoint) -> Result<(), HardwareError> {
        if self.missing.contains(&endpoint) {
            Err(HardwareError::NoEndpoint(endpoint))
        } else {
            Ok(())
        }
    }
}

impl Hardware for Lacking {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn address(&self) -> &str {
        self.inner.address()
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(write.endpoint)?;
            self.inner.write(write).await
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        Box::pin(async move {
            self.check(endpoint)?;
            self.inner.read(endpoint, timeout).await
        })
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(endpoint)?;
            self.inner.subscribe(endpoint).await
        })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.check(endpoint)?;
            self.inner.unsubscribe(endpoint).await
        })
    }

    fn notifications(&self) -> tokio::sync::broadcast::Receiver<crate::hardware::Notification> {
        self.inner.notifications()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        self.inner.disconnected()
    }
}

/// Plays a Lelo security endpoint: after each subscription to `endpoint`, `answer` gives
/// what the device notifies (given how many subscriptions there were). Never ends.
async fn lelo_security(
    hardware: &crate::recording::RecordingHardware,
    endpoint: Endpoint,
    answer: impl Fn(usize) -> Vec<u8>,
) {
    use crate::recording::HardwareCommand;

    let (mut seen, mut subscriptions) = (0, 0);
    loop {
        let Some(next) = hardware.next_command(seen, Duration::from_secs(3600)).await else {
            continue;
        };
        seen += 1;
        if next.command == HardwareCommand::Subscribe(endpoint) {
            subscriptions += 1;
            hardware.notify(endpoint, &answer(subscriptions));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_lelo_f1s_v2_without_a_whitelist_pairs_on_generic0_and_takes_harmony_packets() {
    use crate::recording::{HardwareCommand, RecordingHardware};

    let hardware = Lacking {
        inner: RecordingHardware::new("F1SV2A"),
        missing: &[Endpoint::Whitelist],
    };
    let mut lelo = protocol("lelo-f1sv2", "F1SV2A");
    let authorised = |_| vec![1, 0, 0, 0, 0, 0, 0, 0];
    tokio::select! {
        identified = lelo.identify(&hardware) => {
            assert!(identified.expect("paired").is_none());
        }
        () = lelo_security(&hardware.inner, Endpoint::Generic(0), authorised) => {}
    }
    let commands: Vec<_> = hardware
        .inner
        .commands()
        .into_iter()
        .map(|c| c.command)
        .collect();
    assert_eq!(commands, [HardwareCommand::Subscribe(Endpoint::Generic(0))]);
    let speed = OutputCommand::new(OutputType::Vibrate, 40);
    let state = OutputState::from([((1, OutputType::Vibrate), speed)]);
    let writes = lelo.writes(&[(1, speed)], &state);
    assert_eq!(
        bytes(&writes),
        [[0x0a, 0x12, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00]]
    );
    assert!(writes.iter().all(|w| !w.with_response));
}

#[tokio::test(start_paused = true)]
async fn lelo_pairing_gives_up_on_a_device_that_never_authorises() {
    use crate::recording::RecordingHardware;

    // Nobody taps the power button: the device stays unauthorised.
    let silent = RecordingHardware::new("TianiHarmony");
    let mut lelo = protocol("lelo-harmony", "TianiHarmony");
    let started = tokio::time::Instant::now();
    tokio::select! {
        identified = lelo.identify(&silent) => {
            assert!(matches!(identified, Err(HardwareError::Timeout)), "{identified:?}");
        }
        () = lelo_security(&silent, Endpoint::Whitelist, |_| vec![0; 8]) => {}
    }
    assert_eq!(started.elapsed(), Duration::from_secs(30));

    // A device answering every password with another one is not pairing either.
    let restless = RecordingHardware::new("TianiHarmony");
    let mut lelo = protocol("lelo-harmony", "TianiHarmony");
    tokio::select! {
        identified = lelo.identify(&restless) => {
            assert!(matches!(identified, Err(HardwareError::BadReply { .. })), "{identified:?}");
        }
        () = lelo_security(&restless, Endpoint::Whitelist, |n| vec![9, 9, u8::try_from(n).unwrap_or(0)]) => {}
    }
    let passwords = restless
        .writes()
        .into_iter()
        .filter(|w| w.write.endpoint == Endpoint::Whitelist)
        .count();
    assert_eq!(passwords, 3);
}

#[tokio::test(start_paused = true)]
async fn a_first_svakom_sam_vibrates_in_mode_5() {
    use crate::recording::RecordingHardware;

    let hardware = Lacking {
        inner: RecordingHardware::new("Sam Neo"),
        missing: &[Endpoint::Firmware, Endpoint::TxMode],
    };
    let mut sam = protocol("svakom-sam", "Sam Neo");
    assert!(sam.identify(&hardware).await.expect("identified").is_none());
    for (speed, packet) in [
        (3, [0x12, 0x01, 0x03, 0x00, 0x05, 0x03]),
        (0, [0x12, 0x01, 0x03, 0x00, 0x05, 0x00]),
    ] {
        let command = OutputCommand::new(OutputType::Vibrate, speed);
        let state = OutputState::from([((0, OutputType::Vibrate), command)]);
        assert_eq!(bytes(&sam.writes(&[(0, command)], &state)), [packet]);
    }
}

#[test]
fn svakom_fatima_switches_heat_on_and_off() {
    // Heat is no scalar actuator, so no case can set it.
    let mut fatima = protocol("svakom-fatima", "SL278B");
    for (value, packet) in [
        (1, [0x55, 0x05, 0x01, 0x37, 0x02, 0x00, 0x00]),
        (0, [0x55, 0x05, 0x00, 0x00, 0x02, 0x00, 0x00]),
    ] {
        let heat = OutputCommand::new(OutputType::Temperature, value);
        let state = OutputState::from([((3, OutputType::Temperature), heat)]);
        let writes = fatima.writes(&[(3, heat)], &state);
        assert_eq!(bytes(&writes), [packet]);
        assert!(writes.iter().all(|w| !w.with_response));
    }
}

#[tokio::test(start_paused = true)]
async fn identification_can_hand_a_device_over_to_another_protocol() {
    use std::sync::Arc;

    use crate::recording::RecordingHardware;
    use crate::{DeviceManager, attach};

    let manager = Arc::new(DeviceManager::new());
    let config = DeviceConfig::builtin();
    let oscillate = OutputCommand::new(OutputType::Oscillate, 10);
    // Both advertise the same old name, which `hismith` claims; the model id decides.
    for (model_id, listed, packet) in [
        (
            [0x10, 0x02],
            "Hismith Pro Traveler",
            [0xaa, 0x04, 0x0a, 0x0e],
        ),
        ([0x14, 0x02], "Hismith Ukulele", [0xcc, 0x03, 0x0a, 0x0d]),
    ] {
        let hardware = Arc::new(RecordingHardware::new("HISMITH"));
        hardware.queue_read(Endpoint::RxBleModel, &model_id);
        let index = attach(&manager, &config, "hismith", hardware.clone())
            .await
            .expect("attach");
        let info = manager.device(index).expect("listed");
        assert_eq!(info.device_name, listed);
        manager
            .set_output(1, index, 0, oscillate)
            .expect("an oscillator");
        let writes = hardware.wait_for(|w| !w.is_empty()).await;
        assert_eq!(writes[0].write.data, packet);
    }
}

#[test]
fn hismith_mini_sprays_once_per_shot_and_never_for_zero() {
    let mut piupiu = protocol("hismith-mini", "Hismith Piupiu");
    let spray = |value: i32| {
        let command = OutputCommand::new(OutputType::Spray, value);
        (
            (0, command),
            OutputState::from([((0, OutputType::Spray), command)]),
        )
    };
    let (change, state) = spray(1);
    assert_eq!(
        bytes(&piupiu.writes(&[change], &state)),
        [[0xcc, 0x0b, 0x01, 0x0c]]
    );
    let (change, state) = spray(0);
    assert!(piupiu.writes(&[change], &state).is_empty());
}

#[test]
fn honeyplaybox_frames_are_found_however_notifications_cut_them() {
    let answer = honeyplaybox::frame(0, 0x01, &[0x90, 0x00, 1, 2, 3]);
    let other = honeyplaybox::frame(7, 0x03, &[0x42]);
    let mut frames = honeyplaybox::Frames::default();
    // Noise, then a frame cut in three, the last piece carrying the next frame whole.
    assert!(frames.push(&[0x13, 0x02, 0xa5]).is_empty());
    assert!(frames.push(&answer[..4]).is_empty());
    assert!(frames.push(&answer[4..12]).is_empty());
    let mut rest = answer[12..].to_vec();
    rest.extend_from_slice(&other);
    assert_eq!(frames.push(&rest), [answer.clone(), other.clone()]);
    // A start whose length leads to no end byte is passed over for the real one after it.
    let mut false_start = vec![
        0x02, 0xa5, 0x5a, 0x55, 0xaa, 0xf0, 0, 0xb1, 0x01, 0x00, 0x01,
    ];
    false_start.extend_from_slice(&[0x77; 4]);
    false_start.extend_from_slice(&answer);
    assert_eq!(frames.push(&false_start), [answer]);
}

#[test]
fn honeyplaybox_takes_the_key_from_an_accepting_answer_only() {
    let key: Vec<u8> = (0x10..0x20).collect();
    let mut accepted = vec![0x90, 0x00];
    accepted.extend_from_slice(&key);
    let answer = honeyplaybox::frame(0, 0x01, &accepted);
    assert_eq!(
        honeyplaybox::handshake_key(&answer)
            .expect("accepted")
            .map(Vec::from),
        Some(key)
    );
    // Accepted, but without a whole key: not the answer yet.
    let short = honeyplaybox::frame(0, 0x01, &[0x90, 0x00, 1, 2]);
    assert_eq!(honeyplaybox::handshake_key(&short).expect("accepted"), None);
    let refused = honeyplaybox::frame(0, 0x01, &[0x6a, 0x80]);
    assert!(matches!(
        honeyplaybox::handshake_key(&refused),
        Err(HardwareError::BadReply { .. })
    ));
    assert_eq!(
        honeyplaybox::crc16(&[0xb1, 0x01, 0x00, 0x02, 0x00, 0x10]),
        0x3686
    );
}

#[test]
fn honeyplaybox_repeats_the_levels_in_one_frame_counted_on() {
    let oly = DeviceConfig::builtin()
        .definition("honeyplaybox", "HPB-393")
        .expect("the Oly");
    let mut honey = protocol("honeyplaybox", "HPB-393");
    honey.configure(&oly);
    assert_eq!(honey.keepalive(), Some(Duration::from_millis(500)));
    let first = OutputCommand::new(OutputType::Vibrate, 30);
    let second = OutputCommand::new(OutputType::Vibrate, 60);
    let state = OutputState::from([
        ((0, OutputType::Vibrate), first),
        ((1, OutputType::Vibrate), second),
    ]);
    // Two changes, two frames; the repeat is one more, the same levels, the next count.
    let writes = honey.writes(&[(0, first), (1, second)], &state);
    let repeat = honey.keepalive_writes(&state);
    assert_eq!(writes.len(), 2);
    assert_eq!(repeat.len(), 1);
    let counts: Vec<u8> = writes.iter().chain(&repeat).map(|w| w.data[6]).collect();
    assert_eq!(counts, [1, 2, 3]);
    for write in writes.iter().chain(&repeat) {
        assert!(write.with_response);
        // Motor 0 at 30 and motor 1 at 60, each run for six seconds.
        assert_eq!(
            write.data[11..19],
            [0x01, 0x00, 0x05, 0x00, 0x3c, 0x00, 0x00, 30]
        );
        assert_eq!(
            write.data[19..27],
            [0x11, 0x00, 0x05, 0x00, 0x3c, 0x00, 0x00, 60]
        );
        assert_eq!(write.data[7..], writes[0].data[7..]);
    }
}

#[test]
fn libo_elle_has_a_packet_for_a_second_vibrator() {
    // No model of the database has one; buttplug-rs has its packet all the same.
    let mut elle = protocol("libo-elle", "PiPiJing");
    let mut second = |speed: i32| {
        let command = OutputCommand::new(OutputType::Vibrate, speed);
        let state = OutputState::from([((1, OutputType::Vibrate), command)]);
        elle.writes(&[(1, command)], &state)
    };
    for (speed, byte) in [(0, 0x00), (1, 0x01), (7, 0x61), (8, 0x04), (10, 0x24)] {
        let writes = second(speed);
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].endpoint, Endpoint::Tx);
        assert_eq!(writes[0].data, [byte], "speed {speed}");
    }
}

/// Bytes from hex digits.
fn hex(digits: &str) -> Vec<u8> {
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&digits[at..at + 2], 16).expect("hex"))
        .collect()
}

/// A message as Vibio devices take it.
fn vibio_encrypt(text: &str) -> Vec<u8> {
    super::cipher::Aes128::new(vibio::KEY).encrypt(text.as_bytes())
}

/// The text of a message from a Vibio device.
fn vibio_decrypt(data: &[u8]) -> Option<String> {
    super::cipher::Aes128::new(vibio::KEY)
        .decrypt(data)
        .and_then(|plain| String::from_utf8(plain).ok())
}

#[test]
fn vibio_messages_are_aes_ecb_with_its_key() {
    use super::cipher::challenge_answer;

    // Checked against another AES implementation.
    assert_eq!(
        vibio_encrypt("OK;"),
        hex("73f4cbd11a61e4185e8e486283595a24")
    );
    let two_blocks = hex("00feec928cd32eaa65dee8711b3a4f8fb9825c320a5c907628f8c30cd717c637");
    assert_eq!(vibio_encrypt("Auth:0123456789abcdef;"), two_blocks);
    assert_eq!(
        vibio_decrypt(&two_blocks).as_deref(),
        Some("Auth:0123456789abcdef;")
    );
    // Not whole blocks, or bad padding: not a message.
    assert_eq!(vibio_decrypt(&two_blocks[..20]), None);
    assert_eq!(vibio_decrypt(&[0; 16]), None);
    assert_eq!(vibio_decrypt(&[]), None);
    assert_eq!(
        challenge_answer("1a2B:hello world;").as_deref(),
        Some("Auth:b94d;")
    );
    for not_a_challenge in ["OK;", "1a2B:;", "1a2G:text;", "12345:text;", "1a2B:text"] {
        assert_eq!(challenge_answer(not_a_challenge), None, "{not_a_challenge}");
    }
}

#[tokio::test(start_paused = true)]
async fn vibio_answers_its_challenge_before_it_is_driven() {
    use std::sync::Arc;

    use crate::recording::{HardwareCommand, RecordingHardware};
    use crate::{DeviceManager, attach};

    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("Frida_Vibio"));
    let attaching = tokio::spawn({
        let (manager, hardware) = (manager.clone(), hardware.clone());
        async move { attach(&manager, &DeviceConfig::builtin(), "vibio", hardware).await }
    });
    // rx subscribed, then the opening with a fresh nonce.
    let writes = hardware.wait_for(|w| !w.is_empty()).await;
    assert_eq!(
        hardware.commands()[0].command,
        HardwareCommand::Subscribe(Endpoint::Rx)
    );
    let opening = vibio_decrypt(&writes[0].write.data).expect("an encrypted opening");
    let nonce = opening
        .strip_prefix("Auth:")
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("Auth:NONCE;");
    assert!(nonce.len() == 8 && nonce.chars().all(|c| c.is_ascii_alphanumeric()));
    // The challenge "1a2B:hello world;" is answered with the SHA-256's first two bytes.
    hardware.notify(
        Endpoint::Rx,
        &hex("554b1465a69830760e652b66af0f8e3f8c5a21ae88981a4e43bd0b9ca5ce9769"),
    );
    let writes = hardware.wait_for(|w| w.len() >= 2).await;
    assert_eq!(writes[1].write.data, vibio_encrypt("Auth:b94d;"));
    hardware.notify(Endpoint::Rx, &vibio_encrypt("OK;"));
    let index = attaching.await.expect("task").expect("attached");
    assert_eq!(
        manager.device(index).expect("listed").device_name,
        "Vibio Frida"
    );
    // Both speeds, two digits each, in every command.
    manager
        .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 40))
        .expect("a vibrator");
    let writes = hardware.wait_for(|w| w.len() >= 3).await;
    assert_eq!(
        writes[2].write.data,
        hex("61afcf027f15866f7b45bb5d70f0ac34")
    );
    assert!(!writes[2].write.with_response);
    manager
        .set_output(1, index, 1, OutputCommand::new(OutputType::Vibrate, 12))
        .expect("a second vibrator");
    let writes = hardware.wait_for(|w| w.len() >= 4).await;
    assert_eq!(
        writes[3].write.data,
        hex("2eb126d9a639a51ec7fd7727d8b30f0d")
    );
}

#[test]
fn monsterpub_unlocks_with_the_key_its_challenge_names() {
    let challenge = [
        0x01, b'L', b'S', b'B', b'B', b'L', b'S', b'B', b'B', b'L', b'S', b'B', b'B', b'L', b'S',
        b'B',
    ];
    // The key itself XORed with itself: all zeros.
    assert_eq!(monsterpub::unlock_answer(&challenge), Some(vec![0; 15]));
    // Too short, empty, or naming a key there is none of.
    assert_eq!(monsterpub::unlock_answer(&challenge[..15]), None);
    assert_eq!(monsterpub::unlock_answer(&[]), None);
    let mut fifth_key = challenge;
    fifth_key[0] = 4;
    assert_eq!(monsterpub::unlock_answer(&fifth_key), None);
}

#[tokio::test(start_paused = true)]
async fn monsterpub_writes_where_the_device_has_an_endpoint_for_it() {
    use std::sync::Arc;

    use crate::recording::RecordingHardware;
    use crate::{DeviceManager, attach};

    let manager = Arc::new(DeviceManager::new());
    let config = DeviceConfig::builtin();
    let vibrate = |value: i32| OutputCommand::new(OutputType::Vibrate, value);

    // No txvibrate and no rx: no unlock; speeds on tx, the stop on txmode with response.
    let whale = Arc::new(RecordingHardware::new("MonsterPub"));
    whale.only_endpoints(&[Endpoint::RxBleModel, Endpoint::Tx, Endpoint::TxMode]);
    assert!(!whale.has_endpoint(Endpoint::Rx));
    assert!(matches!(
        whale
            .write(HardwareWrite::new(Endpoint::TxVibrate, [0], false))
            .await,
        Err(HardwareError::NoEndpoint(Endpoint::TxVibrate))
    ));
    whale.queue_read(Endpoint::RxBleModel, b"MP2_JK_N_P1");
    let index = attach(&manager, &config, "monsterpub", whale.clone())
        .await
        .expect("attach");
    let info = manager.device(index).expect("listed");
    assert_eq!(info.device_name, "Sistalk MonsterPub 2 Doctor Whale");
    manager.set_output(1, index, 0, vibrate(30)).expect("valid");
    let writes = whale.wait_for(|w| !w.is_empty()).await;
    assert_eq!(
        writes[0].write,
        HardwareWrite::new(Endpoint::Tx, [30, 0], false)
    );
    manager.set_output(1, index, 0, vibrate(0)).expect("valid");
    let writes = whale.wait_for(|w| w.len() >= 2).await;
    assert_eq!(
        writes[1].write,
        HardwareWrite::new(Endpoint::TxMode, [0, 0], true)
    );

    // Neither: generic0, the speeds after 03.
    let craybit = Arc::new(RecordingHardware::new("TracyDog"));
    craybit.only_endpoints(&[Endpoint::RxBleModel, Endpoint::Generic(0)]);
    craybit.queue_read(Endpoint::RxBleModel, b"TDG_CRAYBIT_PT\0");
    let index = attach(&manager, &config, "monsterpub", craybit.clone())
        .await
        .expect("attach");
    manager.set_output(1, index, 1, vibrate(40)).expect("valid");
    let writes = craybit.wait_for(|w| !w.is_empty()).await;
    assert_eq!(
        writes[0].write,
        HardwareWrite::new(Endpoint::Generic(0), [3, 0, 40, 0], false)
    );
}

/// Protocols whose timing on a real clock is the point: what a device-test case cannot say.
mod timing {
    use std::sync::Arc;
    use std::time::Duration;

    use plugwire_core::message::{OutputCommand, OutputType, PositionWithDuration};
    use tokio::time::Instant;

    use super::super::{fmachine, umove};
    use crate::config::DeviceConfig;
    use crate::recording::RecordingHardware;
    use crate::{DeviceManager, attach};

    #[tokio::test(start_paused = true)]
    async fn listed_only_once_settled_and_never_pressed_faster_than_every_200_ms() {
        let manager = Arc::new(DeviceManager::new());
        let hardware = Arc::new(RecordingHardware::new("FM-T"));
        let connected = Instant::now();
        let index = attach(
            &manager,
            &DeviceConfig::builtin(),
            "fmachine",
            hardware.clone(),
        )
        .await
        .expect("attach");
        // Every settling press (and its release) was made before the device was listed.
        let settling = hardware.writes();
        assert_eq!(
            settling.len(),
            2 * usize::from(fmachine::PRESSES_TO_SLOWEST)
        );
        assert!(
            settling
                .iter()
                .all(|w| [fmachine::SLOWER, fmachine::SPEED_RELEASE].contains(&w.write.data[0]))
        );
        assert!(
            Instant::now() - connected
                >= fmachine::SETTLING_STEP * u32::from(fmachine::PRESSES_TO_SLOWEST - 1)
        );

        // A flood of commands, a new speed every 10 ms for three seconds.
        for n in 0..300 {
            let speed = 5 + (n % 7);
            manager
                .set_output(
                    1,
                    index,
                    0,
                    OutputCommand::new(OutputType::Oscillate, speed),
                )
                .expect("valid");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let presses: Vec<Instant> = hardware
            .writes()
            .iter()
            .filter(|w| {
                [fmachine::ON_OFF, fmachine::FASTER, fmachine::SLOWER].contains(&w.write.data[0])
            })
            .map(|w| w.at)
            .collect();
        let mut steps = presses.clone();
        steps.dedup();
        // The machine was driven, one step (a switch and a speed press at most) at a time...
        assert!(
            steps.len() > usize::from(fmachine::PRESSES_TO_SLOWEST) + 5,
            "{steps:?}"
        );
        // ...and no step came sooner than 200 ms after the press before it, the last settling
        // press included.
        for pair in steps[usize::from(fmachine::PRESSES_TO_SLOWEST) - 1..].windows(2) {
            assert!(
                pair[1] - pair[0] >= fmachine::STEP,
                "{:?}",
                pair[1] - pair[0]
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_mira_hears_its_last_stop_packet_every_half_second_from_the_start() {
        let manager = Arc::new(DeviceManager::new());
        let hardware = Arc::new(RecordingHardware::new("UMMiB042"));
        attach(
            &manager,
            &DeviceConfig::builtin(),
            "umove",
            hardware.clone(),
        )
        .await
        .expect("attach");
        let connected = Instant::now();
        let stopped = [
            0x5a, 0xa5, 0x55, 0x00, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let heat_off = [
            0x5a, 0xa5, 0x55, 0x06, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff,
        ];
        let writes = hardware.wait_for(|w| w.len() >= 4).await;
        assert_eq!(writes[0].write.data, stopped);
        // Both stops at once, then the last of them again every 500 ms.
        for (n, write) in (0u32..).zip(&writes[1..]) {
            assert_eq!(write.write.data, heat_off);
            assert_eq!(write.at - connected, umove::REPEAT_EVERY * n);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_a_vero_move_where_it_stands() {
        let manager = Arc::new(DeviceManager::new());
        let hardware = Arc::new(RecordingHardware::new("UMVxB007"));
        let index = attach(
            &manager,
            &DeviceConfig::builtin(),
            "umove",
            hardware.clone(),
        )
        .await
        .expect("attach");
        let move_to = OutputCommand::HwPositionWithDuration(PositionWithDuration {
            value: 700,
            duration: 2_000,
        });
        manager.set_output(1, index, 1, move_to).expect("valid");
        // A few steps of the twenty, then the session's stop.
        hardware.wait_for(|w| w.len() >= 3).await;
        manager.release_session(1);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stopped_at = hardware.writes().len();
        let last = hardware.writes().last().map(|w| w.write.data.clone());
        // Only the half-second repeat of where it stopped follows: the move does not go on.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after: Vec<_> = hardware.writes().split_off(stopped_at);
        assert!(after.len() <= 4, "{} writes after the stop", after.len());
        for write in after {
            // Same position; only the packet counter moves on.
            assert_eq!(write.write.data[12..], last.as_ref().expect("a step")[12..]);
        }
    }
}

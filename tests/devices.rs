//! Devices driven through protocols and schedulers, on recording hardware: identification,
//! the bytes that reach the device, pacing under a flood, stopping when a write fails, and a
//! device that disconnects mid-command.
//!
//! Time is tokio's paused clock: sleeps advance it instantly and exactly, so pacing is checked
//! precisely and nothing waits on the wall clock.

use std::sync::Arc;
use std::time::Duration;

use plugwire::core::message::{OutputCommand, OutputType};
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::hardware::Endpoint;
use plugwire::devices::recording::RecordingHardware;
use plugwire::devices::{DeviceEvent, DeviceManager, attach};
use tokio::time::Instant;

fn vibrate(value: i32) -> OutputCommand {
    OutputCommand::new(OutputType::Vibrate, value)
}

#[tokio::test(start_paused = true)]
async fn a_lovense_is_identified_and_driven_byte_exact() {
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("LVS-P36"));
    hardware.reply_to(b"DeviceType;", b"P:02:0082059AD3BD;");
    // Lovense acknowledges commands with OK; on rx: a question must skip that.
    hardware.reply_to(b"Battery;", b"OK;");
    hardware.reply_to(b"Battery;", b"77;");
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "lovense",
        hardware.clone(),
    )
    .await
    .expect("attach");
    let info = manager.device(index).expect("listed");
    assert_eq!(info.device_name, "Lovense Edge");
    assert_eq!(info.device_features.len(), 3);

    manager.set_output(1, index, 1, vibrate(15)).expect("valid");
    let writes = hardware.wait_for(|w| w.len() >= 2).await;
    assert_eq!(writes[1].write.data, b"Vibrate2:15;");
    assert_eq!(
        manager
            .read_input(index, 2, plugwire::core::message::InputType::Battery)
            .await
            .expect("battery read"),
        77
    );

    // The session that drove it ends: the motor stops.
    manager.release_session(1);
    let writes = hardware
        .wait_for(|w| w.iter().any(|w| w.write.data == b"Vibrate2:0;"))
        .await;
    assert!(writes.iter().any(|w| w.write.data == b"Vibrate2:0;"));
}

#[tokio::test(start_paused = true)]
async fn a_flood_is_paced_by_the_gap_and_ends_at_the_last_value() {
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("Pivot"));
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "wevibe",
        hardware.clone(),
    )
    .await
    .expect("attach");
    let gap = Duration::from_millis(50);
    let initial_writes = hardware.writes().len(); // the two initialisation writes

    // 1 kHz for one second: values 1..=15 over and over.
    let start = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    let mut last = 0;
    for n in 0..1000 {
        ticks.tick().await;
        last = n % 15 + 1;
        manager
            .set_output(1, index, 0, vibrate(last))
            .expect("valid");
    }
    let flood_ended = Instant::now();
    assert!(flood_ended - start >= Duration::from_millis(999));

    // The last value arrives within one gap of the flood's end...
    let expected = [
        0x0f,
        0x03,
        0x00,
        (last as u8) * 0x11,
        0x00,
        0x03,
        0x00,
        0x00,
    ];
    let writes = hardware
        .wait_for(|w| w.last().is_some_and(|w| w.write.data == expected))
        .await;
    let final_write = writes.last().expect("a write");
    assert!(
        final_write.at - flood_ended <= gap,
        "late by {:?}",
        final_write.at - flood_ended
    );
    // ...having been paced: at most one write per gap, and never two closer than the gap.
    let flood_writes = &writes[initial_writes..];
    assert!(
        flood_writes.len() as u128 <= (flood_ended - start).as_millis() / gap.as_millis() + 2,
        "{} writes",
        flood_writes.len()
    );
    assert!(
        flood_writes
            .windows(2)
            .all(|pair| pair[1].at - pair[0].at >= gap)
    );
    // And nothing more once the flood is over: no backlog drains afterwards.
    tokio::time::sleep(10 * gap).await;
    assert_eq!(hardware.writes().len(), writes.len());
}

#[tokio::test(start_paused = true)]
async fn repeated_values_are_not_resent() {
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("Melt"));
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "wevibe-8bit",
        hardware.clone(),
    )
    .await
    .expect("attach");
    manager.set_output(1, index, 0, vibrate(5)).expect("valid");
    hardware.wait_for(|w| w.len() == 1).await;
    for _ in 0..10 {
        manager.set_output(1, index, 0, vibrate(5)).expect("valid");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hardware.writes().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn stop_all_reaches_every_device_when_one_fails() {
    let manager = Arc::new(DeviceManager::new());
    let broken = Arc::new(RecordingHardware::new("Pivot"));
    let healthy = Arc::new(RecordingHardware::new("Launch"));
    let svakom = Arc::new(RecordingHardware::new("Emma"));
    let config = DeviceConfig::builtin();
    let broken_index = attach(&manager, &config, "wevibe", broken.clone())
        .await
        .expect("attach");
    attach(&manager, &config, "kiiroo-v2", healthy.clone())
        .await
        .expect("attach");
    let svakom_index = attach(&manager, &config, "svakom-v1", svakom.clone())
        .await
        .expect("attach");
    manager
        .set_output(1, broken_index, 0, vibrate(9))
        .expect("valid");
    manager
        .set_output(1, svakom_index, 0, vibrate(12))
        .expect("valid");
    svakom
        .wait_for(|w| {
            w.iter()
                .any(|w| w.write.data == [0x55, 0x04, 0x03, 0x00, 0x01, 0x0c])
        })
        .await;

    broken.fail_writes(true);
    manager.stop_all();
    svakom
        .wait_for(|w| {
            w.last()
                .is_some_and(|w| w.write.data == [0x55, 0x04, 0x03, 0x00, 0x00, 0x00])
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_device_disconnecting_is_removed_and_everyone_told() {
    let manager = Arc::new(DeviceManager::new());
    let mut events = manager.subscribe();
    let hardware = Arc::new(RecordingHardware::new("CycSA"));
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "vorze-sa",
        hardware.clone(),
    )
    .await
    .expect("attach");
    assert!(
        matches!(events.recv().await, Ok(DeviceEvent::Added(info)) if info.device_name == "Vorze A10 Cyclone SA")
    );
    manager
        .set_output(1, index, 0, OutputCommand::new(OutputType::Rotate, -40))
        .expect("valid");
    hardware.wait_for(|w| !w.is_empty()).await;
    assert_eq!(
        hardware.written().last().map(Vec::as_slice),
        Some(&[0x01, 0x01, 40][..])
    );

    hardware.disconnect();
    match events.recv().await {
        Ok(DeviceEvent::Removed(info)) => assert_eq!(info.device_index, index),
        other => panic!("expected the device removed, got {other:?}"),
    }
    assert!(manager.device(index).is_none());
    // Commands to it are refused now.
    assert!(
        manager
            .set_output(1, index, 0, OutputCommand::new(OutputType::Rotate, 1))
            .is_err()
    );
}

#[tokio::test(start_paused = true)]
async fn a_launch_is_initialised_then_moves() {
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new("Launch"));
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "kiiroo-v2",
        hardware.clone(),
    )
    .await
    .expect("attach");
    assert_eq!(
        manager.device(index).expect("listed").device_name,
        "Fleshlight Launch"
    );
    let first = hardware.writes();
    assert_eq!(
        (first[0].write.endpoint, first[0].write.data.as_slice()),
        (Endpoint::Firmware, &[0u8][..])
    );
    let stroke =
        OutputCommand::HwPositionWithDuration(plugwire::core::message::PositionWithDuration {
            value: 99,
            duration: 500,
        });
    manager.set_output(1, index, 0, stroke).expect("valid");
    let writes = hardware.wait_for(|w| w.len() >= 2).await;
    assert_eq!(writes[1].write.data, [0x63, 0x28]);
}

/// A Lovense advertising `name` that answers `DeviceType;` with `model`, attached.
async fn lovense(name: &str, model: &[u8]) -> (Arc<DeviceManager>, Arc<RecordingHardware>, u32) {
    let manager = Arc::new(DeviceManager::new());
    let hardware = Arc::new(RecordingHardware::new(name));
    hardware.reply_to(b"DeviceType;", model);
    let index = attach(
        &manager,
        &DeviceConfig::builtin(),
        "lovense",
        hardware.clone(),
    )
    .await
    .expect("attach");
    (manager, hardware, index)
}

#[tokio::test(start_paused = true)]
async fn a_command_hears_whether_its_device_wrote_it() {
    let (manager, hardware, index) = lovense("LVS-Z36", b"Z:11:0082059AD3BD;").await;

    let written = manager.set_output(1, index, 0, vibrate(5)).expect("valid");
    assert!(
        !written.is_done(),
        "a real device's command waits for its write"
    );
    written.wait().await.expect("written");
    assert_eq!(
        hardware.written().last().map(Vec::as_slice),
        Some(&b"Vibrate:5;"[..])
    );

    // Every try fails: after the task's retries the command is answered with the failure.
    hardware.fail_writes(true);
    let failed = manager.set_output(1, index, 0, vibrate(9)).expect("valid");
    let error = failed
        .wait()
        .await
        .expect_err("the write never went through");
    assert!(!error.is_disconnected(), "{error}");
    assert!(!hardware.written().contains(&b"Vibrate:9;".to_vec()));
}

#[tokio::test(start_paused = true)]
async fn a_retry_sends_only_what_did_not_get_through() {
    let (manager, hardware, index) = lovense("LVS-P36", b"P:02:0082059AD3BD;").await;
    // An Edge takes one packet per motor: the second is lost once.
    hardware.fail_once(b"Vibrate2:7;");
    let written = manager
        .set_outputs(1, index, &[(0, vibrate(4)), (1, vibrate(7))])
        .expect("valid");
    written.wait().await.expect("written on the retry");
    let sent: Vec<Vec<u8>> = hardware
        .written()
        .into_iter()
        .filter(|data| data.starts_with(b"Vibrate"))
        .collect();
    assert_eq!(sent, [b"Vibrate1:4;".to_vec(), b"Vibrate2:7;".to_vec()]);
}

#[tokio::test(start_paused = true)]
async fn a_slow_link_gets_the_last_value_within_one_gap_and_one_write() {
    let (manager, hardware, index) = lovense("LVS-Z36", b"Z:11:0082059AD3BD;").await;
    // A Bluetooth connection interval: every write takes 30 ms; the Lovense gap is 50 ms.
    let write_time = Duration::from_millis(30);
    hardware.set_write_latency(write_time);
    let gap = Duration::from_millis(50);
    // Floods of a thousand commands a second, each a new level, ending at every point of the
    // write pace in turn.
    for (flood, length) in (500_i32..580).step_by(7).enumerate() {
        let mut last = 0;
        for n in 0..length {
            last = 1 + (n + i32::try_from(flood).expect("few floods")) % 19;
            manager
                .set_output(1, index, 0, vibrate(last))
                .expect("valid");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let ended = Instant::now();
        let expected = format!("Vibrate:{last};").into_bytes();
        let writes = hardware
            .wait_for(|w| w.last().is_some_and(|w| w.write.data == expected))
            .await;
        let done = writes.last().expect("the last level").at;
        assert!(
            done - ended <= gap + write_time,
            "flood {flood}: {:?} after it ended",
            done - ended
        );
        // Quiet before the next flood.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

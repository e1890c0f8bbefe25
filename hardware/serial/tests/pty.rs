//! A pseudo-terminal pair stands in for a TCode stroker's serial port: the manager opens the
//! port side by the path a user configuration names, and the test, on the device side, reads
//! the exact lines a device would.

#![cfg(unix)]

use std::sync::Arc;
use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType, PositionWithDuration};
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::{DeviceEvent, DeviceManager};
use plugwire_serial::{SerialManager, SerialOptions};
use plugwire_test_support::pty::{open_pair, read_line, tcode_user_config};
use tokio::sync::broadcast;

const LIMIT: Duration = Duration::from_secs(20);
/// The model name the user configuration gives the stroker.
const NAME: &str = "OSR2 on a pty";

async fn next_event(
    events: &mut broadcast::Receiver<DeviceEvent>,
    wanted: impl Fn(&DeviceEvent) -> bool,
) -> DeviceEvent {
    loop {
        let event = events.recv().await.expect("device events");
        if wanted(&event) {
            return event;
        }
    }
}

#[tokio::test]
async fn a_tcode_stroker_on_a_pty_gets_exact_lines_and_its_removal_is_told() {
    tokio::time::timeout(LIMIT, async {
        // Only the manager holds the port side open, as with real hardware.
        let (device, path) = open_pair();

        let devices = Arc::new(DeviceManager::new());
        let mut config = DeviceConfig::builtin();
        config
            .merge_user_file("test user config", &tcode_user_config(&path, NAME))
            .expect("the user configuration");
        let options = SerialOptions {
            rescan_interval: Duration::from_millis(50),
            ..SerialOptions::default()
        };
        // Subscribed first: the manager opens the port as soon as it starts.
        let mut events = devices.subscribe();
        let serial = SerialManager::start(&devices, Arc::new(config), options);
        assert_eq!(
            serial.configured_ports(),
            vec![(path.clone(), "tcode-v03".to_owned())]
        );
        devices.add_hardware_manager(serial);

        let DeviceEvent::Added(info) =
            next_event(&mut events, |e| matches!(e, DeviceEvent::Added(_))).await
        else {
            unreachable!()
        };
        assert_eq!(info.device_name, NAME);
        let index = info.device_index;
        let session = 7;

        devices
            .set_output(
                session,
                index,
                1,
                OutputCommand::new(OutputType::Vibrate, 50),
            )
            .expect("vibrate");
        let (device, line) = read_line(device).await;
        assert_eq!(line, "V150\n");

        let stroke = OutputCommand::HwPositionWithDuration(PositionWithDuration {
            value: 999,
            duration: 500,
        });
        devices
            .set_output(session, index, 0, stroke)
            .expect("stroke");
        let (device, line) = read_line(device).await;
        assert_eq!(line, "L0999I500\n");

        // The session ends: what it drove stops, and the stop reaches the port.
        devices.release_session(session);
        let (device, line) = read_line(device).await;
        assert_eq!(line, "V100\n");

        // The device side goes away: the device is removed and clients are told.
        drop(device);
        next_event(
            &mut events,
            |e| matches!(e, DeviceEvent::Removed(info) if info.device_index == index),
        )
        .await;
        assert!(devices.device(index).is_none());
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn a_missing_port_is_tried_again_until_it_appears() {
    tokio::time::timeout(LIMIT, async {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let link = dir.path().join("ttyOSR");
        let link_name = link.to_string_lossy().into_owned();

        let devices = Arc::new(DeviceManager::new());
        let mut config = DeviceConfig::builtin();
        config
            .merge_user_file("test user config", &tcode_user_config(&link_name, NAME))
            .expect("the user configuration");
        let options = SerialOptions {
            rescan_interval: Duration::from_millis(50),
            ..SerialOptions::default()
        };
        let mut events = devices.subscribe();
        devices.add_hardware_manager(SerialManager::start(&devices, Arc::new(config), options));
        // A client scanning asks for a try at once; the port is not there yet.
        devices.start_scanning();
        devices.start_scanning();

        // The port is plugged in after scanning started: whenever it appears, a scan finds it.
        let (device, path) = open_pair();
        std::os::unix::fs::symlink(&path, &link).expect("a link to the port");

        let DeviceEvent::Added(info) =
            next_event(&mut events, |e| matches!(e, DeviceEvent::Added(_))).await
        else {
            unreachable!()
        };
        devices
            .set_output(
                1,
                info.device_index,
                1,
                OutputCommand::new(OutputType::Vibrate, 99),
            )
            .expect("vibrate");
        let (_device, line) = read_line(device).await;
        assert_eq!(line, "V199\n");
    })
    .await
    .expect("in time");
}

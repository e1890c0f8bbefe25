//! A pseudo-terminal pair stands in for a TCode stroker's serial port: the manager opens the
//! port side by the path a user configuration names, and the test, on the device side, reads
//! the exact lines a device would.

#![cfg(unix)]

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plugwire_core::message::{OutputCommand, OutputType, PositionWithDuration};
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::{DeviceEvent, DeviceManager};
use plugwire_serial::{SerialManager, SerialOptions};
use serialport::{SerialPort, TTYPort};
use tokio::sync::broadcast;

const LIMIT: Duration = Duration::from_secs(20);

/// A user configuration naming `port` as a TCode stroker with a vibration channel.
fn user_config(port: &str) -> String {
    format!(
        r#"{{
  "version": {{ "major": 4, "minor": 0 }},
  "user_configs": {{
    "protocols": {{
      "tcode-v03": {{
        "communication": [
          {{ "serial": {{ "port": "{port}", "baud_rate": 115200, "data_bits": 8, "parity": "N", "stop_bits": 1 }} }}
        ],
        "configurations": [
          {{
            "identifier": ["{port}"],
            "name": "OSR2 on a pty",
            "features": [
              {{ "index": 0, "output": {{ "hw_position_with_duration": {{ "value": [0, 999], "duration": [0, 99999] }} }} }},
              {{ "index": 1, "output": {{ "vibrate": {{ "value": [0, 99] }} }} }}
            ]
          }}
        ]
      }}
    }}
  }}
}}"#
    )
}

/// The device side: reads one line (up to `\n`) off the pty's master side, without blocking
/// the runtime.
async fn read_line(mut device: TTYPort) -> (TTYPort, String) {
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + LIMIT;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") && Instant::now() < deadline {
            // The master side times out every 100 ms; the deadline bounds the wait.
            if let Ok(1) = device.read(&mut byte) {
                line.push(byte[0]);
            }
        }
        (device, String::from_utf8_lossy(&line).into_owned())
    })
    .await
    .expect("the reading thread")
}

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
        let (device, port) = TTYPort::pair().expect("a pseudo-terminal pair");
        let path = port.name().expect("the port side's path");
        // Only the manager holds the port side open, as with real hardware.
        drop(port);

        let devices = Arc::new(DeviceManager::new());
        let mut config = DeviceConfig::builtin();
        config
            .merge_user_file("test user config", &user_config(&path))
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
        assert_eq!(info.device_name, "OSR2 on a pty");
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
            .merge_user_file("test user config", &user_config(&link_name))
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
        let (device, port) = TTYPort::pair().expect("a pseudo-terminal pair");
        let path = port.name().expect("the port side's path");
        drop(port);
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

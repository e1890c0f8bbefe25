//! Devices whose protocols write to more than `tx` dial the device WebSocket server over real
//! loopback WebSocket: a Fleshlight Launch (kiiroo-v2, initialised on `firmware`) and a
//! MysteryVibe Crescendo (`txmode`, then `txvibrate`) are attached, and every write reaches
//! them as a binary frame of its bytes alone, as the reference's server sends them. A umove
//! Mira's heat, 37–42 in the database, is listed 0–42 and its value reaches the protocol
//! unchanged.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::message::{DeviceInfo, OutputCommand, OutputType, PositionWithDuration, Range};
use plugwire_device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::{DeviceEvent, DeviceManager};
use tokio::sync::{broadcast, mpsc};
use tokio_tungstenite::tungstenite::Message;

const LIMIT: Duration = Duration::from_secs(20);

/// A user configuration naming the identifiers the fakes below dial in with.
const USER_CONFIG: &str = r#"{
  "version": { "major": 4, "minor": 0 },
  "user_configs": {
    "protocols": {
      "kiiroo-v2": { "communication": [ { "websocket": { "name": "Launch" } } ] },
      "mysteryvibe": { "communication": [ { "websocket": { "name": "MV Crescendo" } } ] },
      "umove": { "communication": [ { "websocket": { "name": "UMMiB042" } } ] }
    }
  }
}"#;

/// A device manager with the device WebSocket server on a free loopback port.
async fn server() -> (
    Arc<DeviceManager>,
    Arc<DeviceWebSocketServer>,
    broadcast::Receiver<DeviceEvent>,
) {
    let devices = Arc::new(DeviceManager::new());
    let events = devices.subscribe();
    let mut config = DeviceConfig::builtin();
    config
        .merge_user_file("test user config", USER_CONFIG)
        .expect("the user configuration");
    let options = DeviceWebSocketOptions {
        address: "127.0.0.1:0".parse().expect("an address"),
        ..DeviceWebSocketOptions::default()
    };
    let server = DeviceWebSocketServer::bind(&devices, Arc::new(config), options)
        .await
        .expect("bind");
    devices.add_hardware_manager(server.clone());
    (devices, server, events)
}

/// Dials `server` as `identifier` and passes on every binary frame it is sent.
async fn dial(
    server: &DeviceWebSocketServer,
    identifier: &str,
) -> mpsc::UnboundedReceiver<Vec<u8>> {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{}", server.local_addr()))
        .await
        .expect("dial the device WebSocket server");
    let identification = format!(r#"{{"identifier":"{identifier}","address":"AA11","version":0}}"#);
    socket
        .send(Message::text(identification))
        .await
        .expect("identify");
    let (record, frames) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Binary(data) = frame {
                let _ = record.send(data.to_vec());
            }
        }
    });
    frames
}

async fn added(events: &mut broadcast::Receiver<DeviceEvent>) -> DeviceInfo {
    loop {
        if let DeviceEvent::Added(info) = events.recv().await.expect("device events") {
            return info;
        }
    }
}

async fn next(frames: &mut mpsc::UnboundedReceiver<Vec<u8>>) -> Vec<u8> {
    frames.recv().await.expect("the fake device runs")
}

/// The next frame that is not `repeated` (a packet the device is sent again on its own).
async fn next_but(frames: &mut mpsc::UnboundedReceiver<Vec<u8>>, repeated: &[u8]) -> Vec<u8> {
    loop {
        let frame = next(frames).await;
        if frame != repeated {
            return frame;
        }
    }
}

#[tokio::test]
async fn a_launch_is_initialised_on_firmware_and_strokes_on_tx() {
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server().await;
        let mut frames = dial(&server, "Launch").await;
        // `00` on firmware, before the device is listed.
        assert_eq!(next(&mut frames).await, [0x00]);
        let launch = added(&mut events).await;
        assert_eq!(launch.device_name, "Fleshlight Launch");
        // To the top in half a second: [position, speed], as on Bluetooth.
        let stroke = OutputCommand::HwPositionWithDuration(PositionWithDuration {
            value: 99,
            duration: 500,
        });
        devices
            .set_output(1, launch.device_index, 0, stroke)
            .expect("stroke");
        assert_eq!(next(&mut frames).await, [0x63, 0x28]);
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_mysteryvibe_takes_its_mode_and_speeds_on_their_endpoints() {
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server().await;
        let mut frames = dial(&server, "MV Crescendo").await;
        // The mode on txmode, then every motor's speed on txvibrate, repeated.
        assert_eq!(next(&mut frames).await, [0x43, 0x02, 0x00]);
        let crescendo = added(&mut events).await;
        assert_eq!(crescendo.device_name, "MysteryVibe Crescendo");
        let motors = crescendo
            .device_features
            .values()
            .filter(|f| f.output.contains_key(&OutputType::Vibrate))
            .count();
        let stopped = vec![0u8; motors];
        assert_eq!(next(&mut frames).await, stopped);
        devices
            .set_output(
                1,
                crescendo.device_index,
                0,
                OutputCommand::new(OutputType::Vibrate, 14),
            )
            .expect("vibrate");
        let mut running = stopped.clone();
        running[0] = 14;
        assert_eq!(next_but(&mut frames, &stopped).await, running);
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_umoves_heat_is_listed_from_zero_and_reaches_it_unchanged() {
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server().await;
        let mut frames = dial(&server, "UMMiB042").await;
        let mira = added(&mut events).await;
        assert_eq!(mira.device_name, "Umove Mira");
        let heat = mira.device_features[&2].output[&OutputType::Temperature];
        assert_eq!(heat.value, Range::new(0, 42));
        let heat_packet = |level: u8| {
            vec![
                0x5a, 0xa5, 0x55, 0x06, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, level, 0xff,
            ]
        };
        // Each level in turn (the stop packets of connection and the repeats of the last
        // packet, every half second, may come between).
        for level in [21, 42, 0] {
            let command = OutputCommand::new(OutputType::Temperature, i32::from(level));
            devices
                .set_output(1, mira.device_index, 2, command)
                .expect("heat within 0-42");
            while next(&mut frames).await != heat_packet(level) {}
        }
        let too_hot = OutputCommand::new(OutputType::Temperature, 43);
        assert!(
            devices
                .set_output(1, mira.device_index, 2, too_hot)
                .is_err()
        );
    })
    .await
    .expect("test timed out");
}

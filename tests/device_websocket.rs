//! The device WebSocket server end to end: a fake Lovense dials in, the published Buttplug
//! Rust client (the `buttplug` crate) lists it, drives it with the exact Lovense bytes, reads
//! its battery, and is told when it disconnects or stops answering pings.

#![cfg(all(feature = "device-websocket", feature = "websocket", feature = "json"))]

mod common;

use std::sync::Arc;
use std::time::Duration;

use buttplug::ButtplugWebsocketClientTransport;
use buttplug::connector::ButtplugRemoteClientConnector;
use buttplug::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug::serializer::ButtplugClientJSONSerializer;
use buttplug::{ButtplugClient, ButtplugClientEvent};
use common::within;
use futures::{Stream, StreamExt};
use plugwire::device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
use plugwire::devices::{DeviceEvent, DeviceManager};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};
use plugwire_test_support::fake_lovense::{self, Act, FakeLovense};

/// Waits for the event `wanted` picks, skipping others.
async fn event<T>(
    events: &mut (impl Stream<Item = ButtplugClientEvent> + Unpin),
    wanted: impl Fn(&ButtplugClientEvent) -> Option<T>,
) -> T {
    loop {
        let event = events.next().await.expect("client event stream");
        if let Some(found) = wanted(&event) {
            return found;
        }
    }
}

#[tokio::test]
async fn a_lovense_dialling_in_is_listed_driven_and_removed_for_a_published_client() {
    within(async {
        let devices = Arc::new(DeviceManager::new());
        let mut device_events = devices.subscribe();
        let config = fake_lovense::device_config();
        let options = DeviceWebSocketOptions {
            address: "127.0.0.1:0".parse().expect("an address"),
            ping_interval: Duration::from_millis(100),
            pong_timeout: Duration::from_millis(1000),
            ..DeviceWebSocketOptions::default()
        };
        let device_server = DeviceWebSocketServer::bind(&devices, Arc::new(config), options)
            .await
            .expect("bind the device WebSocket server");
        let device_url = format!("ws://{}", device_server.local_addr());
        devices.add_hardware_manager(device_server);
        let server = Server::new(ServerConfig::default(), devices);
        let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
            .await
            .expect("bind loopback");
        let url = format!("ws://{}", listener.local_addr());
        let accept = server.clone();
        tokio::spawn(async move { accept.listen(listener, JsonSerializer).await });

        let mut lovense = FakeLovense::dial(&device_url).await;
        assert_eq!(lovense.next().await, "DeviceType;");
        loop {
            if let Ok(DeviceEvent::Added(_)) = device_events.recv().await {
                break;
            }
        }

        let connector = ButtplugRemoteClientConnector::<_, ButtplugClientJSONSerializer>::new(
            ButtplugWebsocketClientTransport::new_insecure_connector(&url),
        );
        let client = ButtplugClient::new("device websocket interop");
        let mut events = client.event_stream();
        client.connect(connector).await.expect("handshake");
        let edge = event(&mut events, |e| match e {
            ButtplugClientEvent::DeviceAdded(device) => Some(device.clone()),
            _ => None,
        })
        .await;
        assert_eq!(edge.name(), "Lovense Edge");

        edge.run_output(&ClientDeviceOutputCommand::Vibrate(
            ClientDeviceCommandValue::Percent(0.5),
        ))
        .await
        .expect("vibrate");
        let mut commands = vec![lovense.next_command().await, lovense.next_command().await];
        commands.sort();
        assert_eq!(commands, ["Vibrate1:10;", "Vibrate2:10;"]);
        assert_eq!(edge.battery().await.expect("battery"), 85);

        lovense.act(Act::Close);
        let gone = event(&mut events, |e| match e {
            ButtplugClientEvent::DeviceRemoved(device) => Some(device.index()),
            _ => None,
        })
        .await;
        assert_eq!(gone, edge.index());

        // Again, and this time it goes silent instead: pings go unanswered.
        let mut lovense = FakeLovense::dial(&device_url).await;
        let edge = event(&mut events, |e| match e {
            ButtplugClientEvent::DeviceAdded(device) => Some(device.clone()),
            _ => None,
        })
        .await;
        lovense.act(Act::Freeze);
        let gone = event(&mut events, |e| match e {
            ButtplugClientEvent::DeviceRemoved(device) => Some(device.index()),
            _ => None,
        })
        .await;
        assert_eq!(gone, edge.index());
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

/// `plugwire serve` with the flags: the device WebSocket server on a free loopback port, a
/// Lovense dialling in, a database archetype among the simulated devices, and `plugwire
/// devices` listing both.
#[cfg(feature = "cli")]
#[tokio::test]
async fn serve_flags_start_the_device_websocket_server_and_the_simulated_archetypes() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    const BINARY: &str = env!("CARGO_BIN_EXE_plugwire");
    within(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let user_config = dir.path().join("lvs-websocket.json");
        std::fs::write(&user_config, fake_lovense::USER_CONFIG)
            .expect("write the user configuration");
        let mut child = Command::new(BINARY)
            .args(["serve", "--websocket-port", "0", "--log", "warn"])
            .args(["--device-websocket-server-port", "0"])
            .args(["--simulated-devices", "simulated-oscillator"])
            .arg("--user-device-config-file")
            .arg(&user_config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plugwire serve");
        let stdout = child.stdout.take().expect("piped");
        let (printed, mut lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = printed.send(line);
            }
        });
        let (mut device_url, mut url) = (None, None);
        while device_url.is_none() || url.is_none() {
            let line = lines
                .recv()
                .await
                .expect("plugwire serve printed its addresses");
            if let Some(rest) = line.strip_prefix("plugwire device WebSocket server on ") {
                device_url = Some(rest.trim().to_owned());
            } else if let Some(rest) = line.strip_prefix("plugwire listening on ") {
                url = Some(rest.trim().to_owned());
            }
        }
        let (device_url, url) = (device_url.unwrap_or_default(), url.unwrap_or_default());
        assert!(
            device_url.starts_with("ws://127.0.0.1:"),
            "loopback: {device_url}"
        );

        let mut lovense = FakeLovense::dial(&device_url).await;
        assert_eq!(lovense.next().await, "DeviceType;");
        // Listed once identified: ask until it is (each ask is a full client session).
        let listing = loop {
            let url = url.clone();
            let output = tokio::task::spawn_blocking(move || {
                Command::new(BINARY)
                    .args(["devices", "--connect", &url, "--log", "warn"])
                    .output()
                    .expect("run plugwire devices")
            })
            .await
            .expect("the client command");
            let listing = String::from_utf8_lossy(&output.stdout).into_owned();
            if listing.contains("Lovense Edge") {
                break listing;
            }
        };
        assert!(
            listing.contains("0: Simulated Oscillator [Oscillate 0..100]"),
            "{listing}"
        );
        assert!(listing.contains("1: Lovense Edge"), "{listing}");
        let _ = child.kill();
        let _ = child.wait();
    })
    .await;
}

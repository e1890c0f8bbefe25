//! The device WebSocket server end to end: a fake Lovense dials in, the published Buttplug
//! Rust client (the `buttplug` crate) lists it, drives it with the exact Lovense bytes, reads
//! its battery, and is told when it disconnects or stops answering pings.

#![cfg(all(feature = "device-websocket", feature = "websocket", feature = "json"))]

mod common;
#[path = "common/fake_lovense.rs"]
mod fake_lovense;

use std::sync::Arc;
use std::time::Duration;

use buttplug::ButtplugWebsocketClientTransport;
use buttplug::connector::ButtplugRemoteClientConnector;
use buttplug::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug::serializer::ButtplugClientJSONSerializer;
use buttplug::{ButtplugClient, ButtplugClientEvent};
use common::within;
use fake_lovense::{Act, FakeLovense, USER_CONFIG};
use futures::{Stream, StreamExt};
use plugwire::device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::{DeviceEvent, DeviceManager};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};

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
        let mut config = DeviceConfig::builtin();
        config
            .merge_user_file("test user config", USER_CONFIG)
            .expect("the user configuration");
        let options = DeviceWebSocketOptions {
            address: "127.0.0.1:0".parse().expect("an address"),
            ping_interval: Duration::from_millis(100),
            pong_timeout: Duration::from_millis(300),
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

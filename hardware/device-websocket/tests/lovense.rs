//! A fake Lovense Edge dials the device WebSocket server over real loopback WebSocket, as
//! restim or an ESP32 bridge would: it identifies itself, answers `DeviceType;` and
//! `Battery;`, and records the exact bytes it is sent. Silent connections, disconnects and
//! unanswered pings are each seen to end.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::access::AccessToken;
use plugwire_core::message::{InputType, OutputCommand, OutputType};
use plugwire_device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
use plugwire_devices::{DeviceEvent, DeviceManager};
use plugwire_test_support::fake_lovense::{self, Act, FakeLovense};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

const LIMIT: Duration = Duration::from_secs(20);

/// A device manager with the device WebSocket server on a free loopback port.
async fn server(
    options: DeviceWebSocketOptions,
) -> (
    Arc<DeviceManager>,
    Arc<DeviceWebSocketServer>,
    broadcast::Receiver<DeviceEvent>,
) {
    let devices = Arc::new(DeviceManager::new());
    let events = devices.subscribe();
    let config = fake_lovense::device_config();
    let options = DeviceWebSocketOptions {
        address: "127.0.0.1:0".parse().expect("an address"),
        ..options
    };
    let server = DeviceWebSocketServer::bind(&devices, Arc::new(config), options)
        .await
        .expect("bind");
    devices.add_hardware_manager(server.clone());
    (devices, server, events)
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

async fn added(events: &mut broadcast::Receiver<DeviceEvent>) -> u32 {
    match next_event(events, |e| matches!(e, DeviceEvent::Added(_))).await {
        DeviceEvent::Added(info) => {
            assert_eq!(info.device_name, "Lovense Edge");
            info.device_index
        }
        _ => unreachable!(),
    }
}

async fn removed(events: &mut broadcast::Receiver<DeviceEvent>, index: u32) {
    next_event(
        events,
        |e| matches!(e, DeviceEvent::Removed(info) if info.device_index == index),
    )
    .await;
}

#[tokio::test]
async fn a_lovense_posing_over_websocket_is_identified_driven_and_removed_when_it_leaves() {
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server(DeviceWebSocketOptions::default()).await;
        let mut device = FakeLovense::dial(&format!("ws://{}", server.local_addr())).await;
        assert_eq!(device.next().await, "DeviceType;");
        let index = added(&mut events).await;

        devices
            .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 10))
            .expect("vibrate");
        assert_eq!(device.next_command().await, "Vibrate1:10;");
        devices
            .set_output(1, index, 1, OutputCommand::new(OutputType::Vibrate, 20))
            .expect("vibrate the second motor");
        assert_eq!(device.next_command().await, "Vibrate2:20;");

        let battery = devices
            .read_input(index, 2, InputType::Battery)
            .await
            .expect("battery");
        assert_eq!(battery, 85);

        device.act(Act::Close);
        removed(&mut events, index).await;
        assert!(devices.device(index).is_none());
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_device_that_stops_answering_pings_is_removed() {
    tokio::time::timeout(LIMIT, async {
        let options = DeviceWebSocketOptions {
            ping_interval: Duration::from_millis(100),
            pong_timeout: Duration::from_millis(1000),
            ..DeviceWebSocketOptions::default()
        };
        let (devices, server, mut events) = server(options).await;
        let mut device = FakeLovense::dial(&format!("ws://{}", server.local_addr())).await;
        let index = added(&mut events).await;
        device.act(Act::Freeze);
        removed(&mut events, index).await;
        assert!(devices.device(index).is_none());
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_live_device_answering_pings_stays() {
    tokio::time::timeout(LIMIT, async {
        let options = DeviceWebSocketOptions {
            ping_interval: Duration::from_millis(50),
            pong_timeout: Duration::from_millis(400),
            ..DeviceWebSocketOptions::default()
        };
        let (devices, server, mut events) = server(options).await;
        let _device = FakeLovense::dial(&format!("ws://{}", server.local_addr())).await;
        let index = added(&mut events).await;
        // Idle (nothing but pongs) for three pong windows: no removal comes.
        let removal =
            tokio::time::timeout(Duration::from_millis(1200), removed(&mut events, index));
        assert!(
            removal.await.is_err(),
            "a device answering pings was removed"
        );
        assert!(devices.device(index).is_some());
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_silent_connection_is_dropped() {
    tokio::time::timeout(LIMIT, async {
        let options = DeviceWebSocketOptions {
            identify_timeout: Duration::from_millis(200),
            ..DeviceWebSocketOptions::default()
        };
        let (_devices, server, _events) = server(options).await;
        let (mut socket, _) =
            tokio_tungstenite::connect_async(format!("ws://{}", server.local_addr()))
                .await
                .expect("dial");
        let started = std::time::Instant::now();
        // Sends nothing: the server ends the connection.
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "dropped within the bound"
        );
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn an_unknown_identifier_is_refused_and_a_token_is_required_when_set() {
    tokio::time::timeout(LIMIT, async {
        let token = AccessToken::new("device-secret-0123456789").expect("a token");
        let options = DeviceWebSocketOptions {
            access_token: Some(token),
            ..DeviceWebSocketOptions::default()
        };
        let (_devices, server, mut events) = server(options).await;
        let address = server.local_addr();
        tokio_tungstenite::connect_async(format!("ws://{address}"))
            .await
            .expect_err("no token: HTTP 401");

        let (mut socket, _) =
            tokio_tungstenite::connect_async(format!("ws://{address}/device-secret-0123456789"))
                .await
                .expect("the token as the path");
        socket
            .send(Message::text(r#"{"identifier":"Mystery","address":"1"}"#))
            .await
            .expect("identify");
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }

        let mut device =
            FakeLovense::dial(&format!("ws://{address}/?token=device-secret-0123456789")).await;
        assert_eq!(device.next().await, "DeviceType;");
        added(&mut events).await;
    })
    .await
    .expect("test timed out");
}

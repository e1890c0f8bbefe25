//! A fake Lovense Edge dials the device WebSocket server over real loopback WebSocket, as
//! restim or an ESP32 bridge would: it identifies itself, answers `DeviceType;` and
//! `Battery;`, and records the exact bytes it is sent. Silent connections, disconnects and
//! unanswered pings are each seen to end.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::message::{InputType, OutputCommand, OutputType};
use plugwire_device_websocket::{AccessToken, DeviceWebSocketOptions, DeviceWebSocketServer};
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::{DeviceEvent, DeviceManager};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const LIMIT: Duration = Duration::from_secs(20);

/// A user configuration claiming the identifier `LVSDevice` for the Lovense protocol.
const USER_CONFIG: &str = r#"{
  "version": { "major": 4, "minor": 0 },
  "user_configs": {
    "protocols": {
      "lovense": { "communication": [ { "websocket": { "name": "LVSDevice" } } ] }
    }
  }
}"#;

const IDENTIFICATION: &str = r#"{"identifier":"LVSDevice","address":"8A3D9FAC2A45","version":0}"#;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

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
    let mut config = DeviceConfig::builtin();
    config
        .merge_user_file("test user config", USER_CONFIG)
        .expect("the user configuration");
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

/// What the test tells the fake device to do next.
enum Act {
    /// Close the connection.
    Close,
    /// Keep the connection but never read again (so pings go unanswered).
    Freeze,
}

/// A fake Lovense Edge: identifies itself, answers `DeviceType;` and `Battery;`, and passes
/// on every frame it receives.
struct FakeLovense {
    received: mpsc::UnboundedReceiver<Vec<u8>>,
    act: Option<oneshot::Sender<Act>>,
}

impl FakeLovense {
    async fn dial(url: &str) -> Self {
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("dial the device WebSocket server");
        socket
            .send(Message::text(IDENTIFICATION))
            .await
            .expect("identify");
        let (record, received) = mpsc::unbounded_channel();
        let (act, acting) = oneshot::channel();
        tokio::spawn(run(socket, record, acting));
        Self {
            received,
            act: Some(act),
        }
    }

    /// The next frame the server sent.
    async fn next(&mut self) -> String {
        let bytes = self.received.recv().await.expect("the fake device runs");
        String::from_utf8(bytes).expect("Lovense commands are text")
    }

    /// The next frame that is not an answered query.
    async fn next_command(&mut self) -> String {
        loop {
            let frame = self.next().await;
            if frame != "DeviceType;" && frame != "Battery;" {
                return frame;
            }
        }
    }

    fn act(&mut self, act: Act) {
        let _ = self.act.take().expect("one act per device").send(act);
    }
}

async fn run(
    mut socket: Socket,
    record: mpsc::UnboundedSender<Vec<u8>>,
    mut acting: oneshot::Receiver<Act>,
) {
    loop {
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(frame)) = frame else { return };
                let Message::Binary(data) = frame else { continue };
                let reply = match &data[..] {
                    b"DeviceType;" => "P:02:0082059AD3BD;",
                    b"Battery;" => "85;",
                    _ => "OK;",
                };
                let _ = record.send(data.to_vec());
                let _ = socket.send(Message::binary(reply.as_bytes().to_vec())).await;
            }
            act = &mut acting => {
                match act {
                    Ok(Act::Close) | Err(_) => {
                        let _ = socket.close(None).await;
                    }
                    Ok(Act::Freeze) => {
                        // Holds the socket open and never polls it again: no pong is sent.
                        std::future::pending::<()>().await;
                    }
                }
                return;
            }
        }
    }
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

//! The plugwire client: in-process and over WebSocket, events, typed errors, reconnecting.

mod common;

use std::sync::Arc;

use common::{TestServer, within};
use plugwire::core::ErrorCode;
use plugwire::core::message::{InputType, OutputType};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::json::JsonSerializer;
use plugwire::server::ServerConfig;
use plugwire::websocket::{WebSocketDialer, WebSocketListener, WebSocketOptions};
use plugwire::{Client, ClientError, ClientEvent, InProcessConnector, RemoteConnector, Server};

async fn next_event(events: &mut tokio::sync::broadcast::Receiver<ClientEvent>) -> ClientEvent {
    events.recv().await.expect("event stream open")
}

#[tokio::test]
async fn in_process_client_drives_devices_without_serialization() {
    within(async {
        let devices = Arc::new(DeviceManager::new());
        let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
        let server = Server::new(ServerConfig::default(), devices.clone());
        let client = Client::connect("in-process", InProcessConnector::new(server.clone()))
            .await
            .expect("connect");
        assert_eq!(
            client.server_info().expect("handshake done").server_name,
            "plugwire"
        );
        let device = client.device(0).expect("vibrator listed");
        assert_eq!(device.name(), "plugwire Simulated Vibrator");
        device.vibrate(0.25).await.expect("vibrate");
        assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 5);
        assert_eq!(vibrator.state().output(1, OutputType::Vibrate), 5);
        assert_eq!(device.battery().await.expect("battery"), 87);

        let mut events = client.events();
        device
            .subscribe(InputType::Battery, true)
            .await
            .expect("subscribe");
        vibrator.set_battery(55);
        match next_event(&mut events).await {
            ClientEvent::InputReading(reading) => assert_eq!(reading.reading.value(), 55),
            other => panic!("expected a reading, got {other:?}"),
        }

        // Devices coming and going reach the client as events.
        let stroker = SimulatedDevice::add_to(&devices, SimulatedKind::Stroker);
        match next_event(&mut events).await {
            ClientEvent::DeviceAdded(info) => {
                assert_eq!(info.device_name, "plugwire Simulated Stroker")
            }
            other => panic!("expected DeviceAdded, got {other:?}"),
        }
        client
            .device(1)
            .expect("stroker")
            .move_to(0.5, 300)
            .await
            .expect("move");
        assert_eq!(
            stroker
                .state()
                .output(0, OutputType::HwPositionWithDuration),
            50
        );
        assert!(devices.remove_device(1));
        match next_event(&mut events).await {
            ClientEvent::DeviceRemoved(info) => assert_eq!(info.device_index, 1),
            other => panic!("expected DeviceRemoved, got {other:?}"),
        }
        assert!(matches!(
            client.device(1),
            Err(ClientError::UnknownDevice(1))
        ));

        client.disconnect().await.expect("disconnect");
        vibrator.wait_until(|s| s.is_idle()).await;
        assert!(matches!(
            client.stop_all().await,
            Err(ClientError::NotConnected)
        ));
    })
    .await;
}

#[tokio::test]
async fn server_errors_arrive_typed() {
    within(async {
        let server = TestServer::start().await;
        let dialer = WebSocketDialer::new(&server.url(), WebSocketOptions::default()).expect("url");
        let client = Client::connect("typed", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect");
        let vibrator = client.device(0).expect("vibrator");
        let out_of_range = vibrator
            .output(
                0,
                plugwire::core::message::OutputCommand::new(OutputType::Vibrate, 50),
            )
            .await;
        match out_of_range {
            Err(ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::Device),
            other => panic!("expected a device error, got {other:?}"),
        }
        assert!(matches!(
            vibrator.vibrate(1.5).await,
            Err(ClientError::InvalidLevel(_))
        ));
        assert!(matches!(
            vibrator.move_to(0.5, 100).await,
            Err(ClientError::NoSuchOutput {
                output: OutputType::HwPositionWithDuration,
                ..
            })
        ));
        match client.ping().await {
            Err(ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::Ping),
            other => panic!("expected a ping error, got {other:?}"),
        }
        let rotator = client.device(2).expect("rotator");
        rotator.rotate(0.5, false).await.expect("rotate");
        assert_eq!(server.rotator.state().output(0, OutputType::Rotate), -10);
        client.stop_all().await.expect("stop all");
        assert!(server.rotator.state().is_idle());
    })
    .await;
}

#[tokio::test]
async fn the_client_reconnects_after_the_server_restarts() {
    within(async {
        let first = TestServer::start().await;
        let addr = first.addr;
        let dialer = WebSocketDialer::new(&first.url(), WebSocketOptions::default()).expect("url");
        let client = Client::connect("reconnecting", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect");
        let mut events = client.events();
        client
            .device(0)
            .expect("vibrator")
            .vibrate(0.5)
            .await
            .expect("vibrate");

        first.server.shutdown().await;
        loop {
            if next_event(&mut events).await == ClientEvent::Disconnected {
                break;
            }
        }
        assert!(!client.is_connected());
        assert!(
            first.vibrator.state().is_idle(),
            "shutdown stops every device"
        );
        assert!(
            client
                .device(0)
                .expect("still listed")
                .vibrate(0.5)
                .await
                .is_err()
        );

        // A new server comes up on the same address; the same client object reconnects.
        let devices = Arc::new(DeviceManager::new());
        let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
        let second = Server::new(ServerConfig::default(), devices);
        let listener = WebSocketListener::bind(addr, WebSocketOptions::default())
            .await
            .expect("rebind");
        let accept = second.clone();
        tokio::spawn(async move { accept.listen(listener, JsonSerializer).await });

        client.reconnect().await.expect("reconnect");
        assert!(client.is_connected());
        client
            .device(0)
            .expect("vibrator")
            .vibrate(1.0)
            .await
            .expect("vibrate after reconnect");
        assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 20);
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

type PeerSocket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A hand-written WebSocket server on a free loopback port: `serve` gets the one connection
/// it accepts, after the upgrade.
async fn one_websocket_peer<F>(
    serve: impl FnOnce(PeerSocket) -> F + Send + 'static,
) -> std::net::SocketAddr
where
    F: std::future::Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
            serve(socket).await;
        }
    });
    addr
}

/// A server that speaks the handshake and device list, but, like Intiface and every spec v4
/// server before plugwire, does not know `Disconnect`: it never answers it.
async fn server_ignoring_disconnect() -> std::net::SocketAddr {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    one_websocket_peer(|mut socket| async move {
        while let Some(Ok(Message::Text(text))) = socket.next().await {
            let requests: Vec<serde_json::Value> =
                serde_json::from_str(&text).expect("a JSON array");
            let mut replies = Vec::new();
            for request in requests {
                let (name, body) = request
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .expect("one message");
                let id = body["Id"].clone();
                match name.as_str() {
                    "RequestServerInfo" => replies.push(serde_json::json!({"ServerInfo": {
                        "Id": id, "ServerName": "old engine", "ProtocolVersionMajor": 4,
                        "ProtocolVersionMinor": 0, "MaxPingTime": 0}})),
                    "RequestDeviceList" => {
                        replies.push(serde_json::json!({"DeviceList": {"Id": id, "Devices": {}}}))
                    }
                    "Disconnect" => {}
                    _ => replies.push(serde_json::json!({"Ok": {"Id": id}})),
                }
            }
            if !replies.is_empty() {
                let text = serde_json::Value::Array(replies).to_string();
                if socket.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn leaving_a_server_that_ignores_disconnect_is_prompt() {
    within(async {
        let addr = server_ignoring_disconnect().await;
        let dialer = WebSocketDialer::new(&format!("ws://{addr}"), WebSocketOptions::default())
            .expect("dialer");
        let client = Client::connect("leaving", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect");
        // The goodbye goes unanswered: the client closes after a short wait, not its full
        // request timeout.
        tokio::time::timeout(std::time::Duration::from_secs(2), client.disconnect())
            .await
            .expect("disconnect returns promptly")
            .expect("disconnect succeeds");
        assert!(!client.is_connected());
    })
    .await;
}

/// A server that takes the WebSocket upgrade and then closes at once, saying why.
async fn server_refusing_after_upgrade() -> std::net::SocketAddr {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    one_websocket_peer(|mut socket| async move {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Policy,
                reason: "go away".into(),
            })))
            .await;
    })
    .await
}

#[tokio::test]
async fn a_request_after_the_link_failed_gets_the_failure_not_just_not_connected() {
    use plugwire::core::ConnectorError;
    use plugwire::core::connector::{ConnectionEvent, Connector};
    use plugwire::core::message::{ClientMessage, IdOnly};
    within(async {
        let addr = server_refusing_after_upgrade().await;
        let connector = RemoteConnector::new(
            WebSocketDialer::new(&format!("ws://{addr}"), WebSocketOptions::default())
                .expect("dialer"),
            JsonSerializer,
        );
        let mut connection = connector.connect().await.expect("upgrade");
        // The link has failed and its driver has stopped before the request is made: the
        // race a server refusing at once (a QUIC listener without the token) creates.
        loop {
            match connection.events.recv().await {
                Some(ConnectionEvent::Closed(reason)) => {
                    assert!(reason.is_some(), "the server closed, not this side");
                    break;
                }
                Some(ConnectionEvent::Message(_)) => continue,
                None => panic!("no Closed event"),
            }
        }
        let error = connection
            .requests
            .request(ClientMessage::Ping(IdOnly { id: 1 }))
            .await
            .expect_err("the link is gone");
        assert!(
            matches!(error, ConnectorError::Disconnected(Some(_))),
            "{error:?}"
        );
    })
    .await;
}

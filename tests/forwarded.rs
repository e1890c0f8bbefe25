//! Forwarded devices, end to end: a forwarder (a plugwire server owning a simulated device)
//! dials the main server's forwarder address, and a normal client of the main server drives
//! the forwarded device, over IPC and over WebSocket.

mod common;

use std::sync::Arc;

use common::within;
use plugwire::connect::ConnectionUrl;
use plugwire::connect::{self, AnyDialer, AnyListener, ConnectOptions, Detect};
use plugwire::core::Listener as _;
use plugwire::core::message::OutputType;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::server::{Server, ServerConfig};
use plugwire::{Client, ClientEvent};

async fn forwarded_end_to_end(forwarders: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ConnectOptions {
        data_dir: Some(dir.path().to_owned()),
        ..ConnectOptions::default()
    };
    // The main server: no devices of its own; clients on WebSocket, forwarders on `forwarders`.
    let main_devices = Arc::new(DeviceManager::new());
    let main = Server::new(ServerConfig::default(), main_devices.clone());
    let clients = AnyListener::bind(&"ws://127.0.0.1:0".parse().expect("url"), &options)
        .await
        .expect("bind");
    let client_url: ConnectionUrl = clients.describe().parse().expect("url");
    let serving = main.clone();
    tokio::spawn(async move { serving.listen(clients, Detect::default()).await });
    let forwarders = forwarders.replace("DIR", &dir.path().display().to_string());
    let forwarder_listener = AnyListener::bind(&forwarders.parse().expect("url"), &options)
        .await
        .expect("bind");
    let forwarder_url: ConnectionUrl = forwarder_listener.describe().parse().expect("url");
    tokio::spawn(plugwire::forward::accept_forwarders(
        main_devices.clone(),
        forwarder_listener,
        Detect::default(),
        main.shutdown_token(),
    ));

    // A client of the main server, waiting for devices.
    let client = Client::connect("app", connect::dial(&client_url, &options).expect("dialer"))
        .await
        .expect("connect");
    let mut events = client.events();
    assert!(client.devices().is_empty());

    // The forwarder: owns a vibrator, dials in.
    let forwarder_devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&forwarder_devices, SimulatedKind::Vibrator);
    let forwarder = Server::new(ServerConfig::default(), forwarder_devices);
    let dialling = forwarder.clone();
    let dialer = AnyDialer::new(&forwarder_url, &options).expect("dialer");
    tokio::spawn(async move { dialling.dial(dialer, Detect::default()).await });

    let added = loop {
        if let ClientEvent::DeviceAdded(info) = events.recv().await.expect("events") {
            break info;
        }
    };
    assert_eq!(added.device_name, "plugwire Simulated Vibrator");
    let device = client.device(added.device_index).expect("listed");
    device.vibrate(0.5).await.expect("vibrate");
    vibrator
        .wait_until(|s| {
            s.output(0, OutputType::Vibrate) == 10 && s.output(1, OutputType::Vibrate) == 10
        })
        .await;
    assert_eq!(
        device
            .battery()
            .await
            .expect("battery through the forwarder"),
        87
    );

    // The client leaves: what it drove stops, on the forwarder's real device.
    client.disconnect().await.expect("disconnect");
    vibrator.wait_until(|s| s.is_idle()).await;

    // The forwarder leaves: its device is removed from the main server.
    let mut manager_events = main_devices.subscribe();
    forwarder.shutdown().await;
    loop {
        if let Ok(plugwire::devices::DeviceEvent::Removed(info)) = manager_events.recv().await {
            assert_eq!(info.device_name, "plugwire Simulated Vibrator");
            break;
        }
    }
    assert!(main_devices.devices().is_empty());
    main.shutdown().await;
}

#[tokio::test]
async fn a_device_forwarded_over_ipc() {
    within(forwarded_end_to_end("ipc://DIR/forwarders.sock")).await;
}

#[tokio::test]
async fn a_device_forwarded_over_websocket() {
    within(forwarded_end_to_end("ws://127.0.0.1:0")).await;
}

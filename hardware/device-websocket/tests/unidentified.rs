//! Connections that never identify cannot keep a device out of the device WebSocket server,
//! nor run the process out of file descriptors: 1,100 idle TCP connections are held against it
//! under an open-file limit too low for the server to keep them all, and a fake Lovense that
//! dials in afterwards is identified, attached and driven, while the server has dropped all
//! but the newest few idle ones. Idle connections opened once it is attached do not disturb
//! it (identified devices are not counted). And idle connections spread over many source
//! addresses are bounded in all.
//!
//! Its own test binary, because it sets this process's open-file limit.

#![cfg(unix)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use plugwire_core::message::{OutputCommand, OutputType};
use plugwire_device_websocket::{
    DEFAULT_MAX_UNIDENTIFIED, DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE, DeviceWebSocketOptions,
    DeviceWebSocketServer,
};
use plugwire_devices::{DeviceEvent, DeviceManager};
use plugwire_test_support::fake_lovense::{self, FakeLovense};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::broadcast;

const LIMIT: Duration = Duration::from_secs(30);

/// Idle connections held against the server from one address.
const IDLE: usize = 1_100;
/// Idle connections opened once the device is attached.
const IDLE_AFTER: usize = 100;
/// Addresses idle connections come from in the second test, each with as many as one address
/// may have waiting (so only the bound in all drops any).
const SOURCES: usize = 40;
/// The soft open-file limit the tests run under: room for every client end these tests hold
/// at once and what the server keeps under its bounds, but not for a server end of each idle
/// connection too (that would be 2 × 1,100 for the first test alone).
const OPEN_FILES: u64 = 2_000;

/// Sets the soft open-file limit to [`OPEN_FILES`] (or the hard limit, if lower).
fn set_open_file_limit() {
    let limit = getrlimit(Resource::Nofile);
    let current = limit
        .maximum
        .map_or(OPEN_FILES, |hard| hard.min(OPEN_FILES));
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(current),
            maximum: limit.maximum,
        },
    )
    .expect("set the soft open-file limit");
}

/// A device manager with the device WebSocket server (default bounds) on a free loopback
/// port.
async fn server() -> (
    Arc<DeviceManager>,
    Arc<DeviceWebSocketServer>,
    broadcast::Receiver<DeviceEvent>,
) {
    let devices = Arc::new(DeviceManager::new());
    let events = devices.subscribe();
    let options = DeviceWebSocketOptions {
        address: "127.0.0.1:0".parse().expect("an address"),
        ..DeviceWebSocketOptions::default()
    };
    let server =
        DeviceWebSocketServer::bind(&devices, Arc::new(fake_lovense::device_config()), options)
            .await
            .expect("bind");
    devices.add_hardware_manager(server.clone());
    (devices, server, events)
}

/// The index of the next device added.
async fn added(events: &mut broadcast::Receiver<DeviceEvent>) -> u32 {
    loop {
        if let DeviceEvent::Added(info) = events.recv().await.expect("device events") {
            return info.device_index;
        }
    }
}

/// Opens `count` connections to `server` from `source` that say nothing.
async fn idle(server: SocketAddr, source: IpAddr, count: usize) -> Vec<TcpStream> {
    let mut idle = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = TcpSocket::new_v4().expect("a socket");
        socket
            .bind(SocketAddr::new(source, 0))
            .expect("bind the source address");
        idle.push(socket.connect(server).await.expect("an idle connection"));
    }
    idle
}

/// Waits until the server has closed `connection` (end of stream, or reset).
async fn closed(connection: &mut TcpStream) {
    let mut byte = [0u8; 1];
    match connection.read(&mut byte).await {
        Ok(0) | Err(_) => {}
        Ok(_) => panic!("the server sent something to a connection that never upgraded"),
    }
}

#[tokio::test]
async fn a_thousand_idle_connections_neither_keep_a_device_out_nor_exhaust_descriptors() {
    set_open_file_limit();
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server().await;
        let address = server.local_addr();
        let loopback = address.ip();
        let mut held = idle(address, loopback, IDLE).await;
        assert!(server.unidentified() <= DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE);

        let mut device = FakeLovense::dial(&format!("ws://{address}")).await;
        assert_eq!(device.next().await, "DeviceType;");
        let index = added(&mut events).await;
        devices
            .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 10))
            .expect("vibrate");
        assert_eq!(device.next_command().await, "Vibrate1:10;");

        // The server closed every idle connection but the newest few: the device pushed out
        // one more of them, and none can be left beyond the bound.
        let kept = DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE;
        for connection in &mut held[..IDLE - kept] {
            closed(connection).await;
        }

        // More idle connections, now that the device is attached: they push out one another,
        // never the device.
        let _more = idle(address, loopback, IDLE_AFTER).await;
        assert!(server.unidentified() <= kept);
        devices
            .set_output(1, index, 1, OutputCommand::new(OutputType::Vibrate, 20))
            .expect("vibrate the second motor");
        assert_eq!(device.next_command().await, "Vibrate2:20;");
        assert!(devices.device(index).is_some());
    })
    .await
    .expect("test timed out");
}

/// Linux routes all of 127.0.0.0/8 to loopback, so a connection can come from many sources.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn idle_connections_from_many_sources_are_bounded_in_all() {
    set_open_file_limit();
    tokio::time::timeout(LIMIT, async {
        let (devices, server, mut events) = server().await;
        let address = server.local_addr();
        let per_source = DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE;
        let mut held = Vec::with_capacity(SOURCES * per_source);
        for n in 0..SOURCES {
            let source = IpAddr::from([127, 0, 1, u8::try_from(n + 1).expect("a small n")]);
            held.extend(idle(address, source, per_source).await);
        }
        assert!(server.unidentified() <= DEFAULT_MAX_UNIDENTIFIED);

        // The device's own address has nothing waiting: the oldest of all makes room.
        let mut device = FakeLovense::dial(&format!("ws://{address}")).await;
        let index = added(&mut events).await;
        devices
            .set_output(1, index, 0, OutputCommand::new(OutputType::Vibrate, 5))
            .expect("vibrate");
        assert_eq!(device.next_command().await, "Vibrate1:5;");
        // Only the newest of all were kept.
        for connection in &mut held[..SOURCES * per_source - DEFAULT_MAX_UNIDENTIFIED] {
            closed(connection).await;
        }
    })
    .await
    .expect("test timed out");
}

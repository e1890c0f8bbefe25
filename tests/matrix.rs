//! The matrix: handshake → device list → command → stop → disconnect, for every transport ×
//! every serializer × both role directions, over real sockets on loopback.
//!
//! Adding a serializer is one line in the `matrix!` call at the bottom.

mod common;

use std::sync::Arc;

use common::within;
use plugwire::connect::{self, AnyDialer, AnyListener, ConnectOptions, Detect};
use plugwire::connect::{ConnectionUrl, SerializerKind};
use plugwire::core::Listener as _;
use plugwire::core::message::OutputType;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::server::{Server, ServerConfig};
use plugwire::{Client, ClientEvent};

#[derive(Debug, Clone, Copy)]
enum Transport {
    WebSocket,
    IpcPath,
    IpcName,
    Quic,
}

#[derive(Debug, Clone, Copy)]
enum Role {
    /// The usual set-up: the server listens, the client dials.
    ClientDials,
    /// Reversed: the client listens, the server dials (device forwarders).
    ServerDials,
}

/// A fresh address to listen on for `transport` (port 0, or a unique socket name); `format`
/// restricts it to one serializer, `None` detects per connection.
fn listen_url(
    transport: Transport,
    format: Option<SerializerKind>,
    dir: &std::path::Path,
) -> ConnectionUrl {
    let url = match transport {
        Transport::WebSocket => "ws://127.0.0.1:0".to_owned(),
        Transport::IpcPath => format!("ipc://{}", dir.join("matrix.sock").display()),
        Transport::IpcName => format!("ipc://plugwire-matrix-{}-{}", std::process::id(), unique()),
        Transport::Quic => "quic://127.0.0.1:0".to_owned(),
    };
    let mut url: ConnectionUrl = url.parse().expect("valid URL");
    url.serializer = format;
    url
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The URL a dialler uses for what `listener` listens on, in `format`.
fn dial_url(listener: &str, format: Option<SerializerKind>) -> ConnectionUrl {
    let mut url: ConnectionUrl = listener
        .parse()
        .expect("listeners describe themselves as URLs");
    url.serializer = format;
    url
}

async fn run_case(transport: Transport, format: SerializerKind, role: Role) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ConnectOptions {
        data_dir: Some(dir.path().to_owned()),
        ..ConnectOptions::default()
    };
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    SimulatedDevice::add_to(&devices, SimulatedKind::Stroker);
    let server = Server::new(ServerConfig::default(), devices);
    // The client names its serializer; the server detects it.
    let connector = match role {
        Role::ClientDials => {
            let url = listen_url(transport, None, dir.path());
            let listener = AnyListener::bind(&url, &options)
                .await
                .expect("server binds");
            let target = dial_url(&listener.describe(), Some(format));
            let serving = server.clone();
            tokio::spawn(async move { serving.listen(listener, Detect::default()).await });
            connect::dial(&target, &options).expect("client dialler")
        }
        Role::ServerDials => {
            let url = listen_url(transport, Some(format), dir.path());
            let (connector, description) =
                connect::listen(&url, &options).await.expect("client binds");
            let target = dial_url(description.split(' ').next().expect("a URL first"), None);
            let dialer = AnyDialer::new(&target, &options).expect("server dialler");
            let dialling = server.clone();
            tokio::spawn(async move { dialling.dial(dialer, Detect::default()).await });
            connector
        }
    };

    // Handshake and device list.
    let client = Client::connect("matrix", connector)
        .await
        .expect("handshake");
    assert_eq!(client.devices().len(), 2);
    let vibrating = client.device(0).expect("vibrator");
    assert_eq!(vibrating.name(), "plugwire Simulated Vibrator");

    // Command.
    vibrating.vibrate(0.5).await.expect("vibrate");
    assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 10);
    assert_eq!(vibrating.battery().await.expect("battery"), 87);

    // Stop.
    client.stop_all().await.expect("stop");
    assert!(vibrator.state().is_idle());

    // Disconnect: what the session drove stops with it.
    vibrating.vibrate(1.0).await.expect("vibrate again");
    let mut events = client.events();
    client.disconnect().await.expect("disconnect");
    vibrator.wait_until(|s| s.is_idle()).await;
    assert!(matches!(events.recv().await, Ok(ClientEvent::Disconnected)));
    server.shutdown().await;
}

macro_rules! matrix {
    ($($serializer:ident => $format:expr),* $(,)?) => {
        $(
            mod $serializer {
                use super::*;

                macro_rules! case {
                    ($name:ident, $transport:expr, $role:expr) => {
                        #[tokio::test]
                        async fn $name() {
                            within(run_case($transport, $format, $role)).await;
                        }
                    };
                }

                case!(websocket_client_dials, Transport::WebSocket, Role::ClientDials);
                case!(websocket_server_dials, Transport::WebSocket, Role::ServerDials);
                case!(ipc_path_client_dials, Transport::IpcPath, Role::ClientDials);
                case!(ipc_path_server_dials, Transport::IpcPath, Role::ServerDials);
                case!(ipc_name_client_dials, Transport::IpcName, Role::ClientDials);
                case!(ipc_name_server_dials, Transport::IpcName, Role::ServerDials);
                case!(quic_client_dials, Transport::Quic, Role::ClientDials);
                case!(quic_server_dials, Transport::Quic, Role::ServerDials);
            }
        )*
    };
}

matrix! {
    json => SerializerKind::Json,
    msgpack => SerializerKind::Msgpack,
}

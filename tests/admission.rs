//! Admission that cannot be starved: while a thousand idle sockets are held against the
//! WebSocket listener and the local-socket one, a hundred upgraded WebSocket sessions never
//! send their handshake, and replayed QUIC Initial packets hit the QUIC listener, a client
//! that does its handshake promptly is served on every listener.

#![cfg(all(
    unix,
    feature = "websocket",
    feature = "ipc",
    feature = "quic",
    feature = "json"
))]

mod common;

use std::sync::Arc;

use common::{serve_any, within};
use plugwire::Client;
use plugwire::connect::{self, ConnectionUrl};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::server::{Server, ServerConfig};
use tokio::net::{TcpStream, UdpSocket};

/// Idle sockets held against the WebSocket listener.
const IDLE_SOCKETS: usize = 1_000;
/// WebSocket sessions upgraded and then silent: more than the server's 64 connections.
const SILENT_SESSIONS: usize = 100;
/// Replayed QUIC Initial packets.
const REPLAYED_INITIALS: usize = 500;

/// Connects a client to `url` and completes the Buttplug handshake.
async fn prompt_client(url: &str, options: &connect::ConnectOptions) -> Client {
    let url: ConnectionUrl = url.parse().expect("a listener URL");
    let connector = connect::dial(&url, options).expect("a dialler");
    Client::connect("prompt", connector)
        .await
        .expect("a prompt client is served")
}

#[tokio::test]
async fn idle_sockets_and_replayed_initials_do_not_keep_a_prompt_client_out() {
    common::raise_open_file_limit(IDLE_SOCKETS as u64 * 3);
    within(async {
        let devices = Arc::new(DeviceManager::new());
        SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
        let server = Server::new(ServerConfig::default(), devices);
        let (ws, ws_options, _ws_dir) = serve_any(&server, "ws://127.0.0.1:0").await;
        let (ipc, ipc_options, _ipc_dir) = serve_any(&server, "ipc://DIR/plugwire.sock").await;
        let (quic, quic_options, _quic_dir) = serve_any(&server, "quic://127.0.0.1:0").await;

        // A thousand sockets that connect and say nothing, against the WebSocket listener.
        let address = ws.trim_start_matches("ws://").to_owned();
        let mut idle = Vec::with_capacity(IDLE_SOCKETS);
        for _ in 0..IDLE_SOCKETS {
            idle.push(
                TcpStream::connect(address.as_str())
                    .await
                    .expect("an idle socket"),
            );
        }

        // A thousand local-socket connections that say nothing: each is a session waiting for
        // its handshake, the oldest of which makes room for a newcomer.
        let socket_path = ipc.trim_start_matches("ipc://").to_owned();
        let mut idle_local = Vec::with_capacity(IDLE_SOCKETS);
        for _ in 0..IDLE_SOCKETS {
            idle_local.push(
                tokio::net::UnixStream::connect(socket_path.as_str())
                    .await
                    .expect("an idle local socket"),
            );
        }
        // And WebSocket connections that complete their upgrade, then never send
        // RequestServerInfo.
        let mut silent = Vec::with_capacity(SILENT_SESSIONS);
        for _ in 0..SILENT_SESSIONS {
            let (socket, _) = tokio_tungstenite::connect_async(ws.as_str())
                .await
                .expect("an upgraded, silent session");
            silent.push(socket);
        }

        // A QUIC Initial, captured from a real dialler aimed at a socket of ours, then
        // replayed at the listener from one UDP socket.
        let catcher = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind the catcher");
        let fake: ConnectionUrl = quic
            .replace(
                &quic[7..quic.find('?').expect("a fingerprint")],
                &catcher.local_addr().expect("catcher address").to_string(),
            )
            .parse()
            .expect("a URL aimed at the catcher");
        let connector = connect::dial(&fake, &quic_options).expect("a dialler");
        let dialling = tokio::spawn(Client::connect("captured", connector));
        let mut initial = vec![0u8; 2048];
        let (length, _) = catcher.recv_from(&mut initial).await.expect("an Initial");
        initial.truncate(length);
        dialling.abort();
        let replayer = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind the replayer");
        let target = &quic[7..quic.find('?').expect("a fingerprint")];
        for _ in 0..REPLAYED_INITIALS {
            replayer.send_to(&initial, target).await.expect("replay");
        }

        // Every listener still serves a client that does its handshake promptly.
        for (url, options) in [
            (&ws, &ws_options),
            (&ipc, &ipc_options),
            (&quic, &quic_options),
        ] {
            let client = prompt_client(url, options).await;
            assert_eq!(client.devices().len(), 1, "{url}");
            client.disconnect().await.expect("disconnect");
        }
        drop((idle, idle_local, silent));
    })
    .await;
}

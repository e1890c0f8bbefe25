//! Transport-level liveness: a peer that goes silent behind a relay (the socket stays open,
//! nothing comes through) is noticed within the liveness window and its outputs stop; a slow
//! but live peer, which answers pings, is never ended.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{TestServer, within};
use plugwire::core::message::OutputType;
use plugwire::json::JsonSerializer;
use plugwire::server::SessionConfig;
use plugwire::websocket::{WebSocketDialer, WebSocketOptions};
use plugwire::{Client, ClientEvent, RemoteConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const WINDOW: Duration = Duration::from_millis(600);

/// A TCP relay to `target` for one connection. Once `silent` is set it keeps both sockets open
/// and reads everything, but passes nothing on: a link that died behind a NAT or relay.
async fn relay(target: SocketAddr) -> (SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let silent = Arc::new(AtomicBool::new(false));
    let silencing = silent.clone();
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let Ok(server) = TcpStream::connect(target).await else {
            return;
        };
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::spawn(pass_on(client_read, server_write, silencing.clone()));
        pass_on(server_read, client_write, silencing).await;
    });
    (addr, silent)
}

async fn pass_on(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(read) = from.read(&mut buffer).await else {
            return;
        };
        if read == 0 {
            // Even a close is swallowed once silent: the other side must find out alone.
            std::future::pending::<()>().await;
        }
        if !silent.load(Ordering::SeqCst) && to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

fn options(liveness_timeout: Duration) -> WebSocketOptions {
    WebSocketOptions {
        liveness_timeout,
        ..WebSocketOptions::default()
    }
}

async fn client_at(addr: SocketAddr, liveness_timeout: Duration) -> Client {
    let dialer =
        WebSocketDialer::new(&format!("ws://{addr}"), options(liveness_timeout)).expect("dialer");
    Client::connect("liveness", RemoteConnector::new(dialer, JsonSerializer))
        .await
        .expect("connect")
}

/// Vibrates device 0, then sends nothing for five liveness windows: the session must still be
/// there, the vibrator still running, and the client still served.
async fn vibrate_then_stay_quiet(
    client: &Client,
    vibrator: &plugwire::devices::simulated::SimulatedDevice,
) {
    client
        .device(0)
        .expect("vibrator")
        .vibrate(0.5)
        .await
        .expect("vibrate");
    // The quiet itself is what is tested: the clock is the subject, not a synchronisation.
    tokio::time::sleep(WINDOW * 5).await;
    assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 10);
    assert!(client.is_connected());
    client.stop_all().await.expect("still served");
}

#[tokio::test]
async fn a_client_gone_silent_behind_a_relay_has_its_outputs_stopped() {
    within(async {
        let server = TestServer::start_with(SessionConfig::default(), options(WINDOW), 8).await;
        let (relayed, silent) = relay(server.addr).await;
        // The client itself does not watch, so only the server's liveness can end this.
        let client = client_at(relayed, Duration::ZERO).await;
        client
            .device(0)
            .expect("vibrator")
            .vibrate(0.5)
            .await
            .expect("vibrate");
        server
            .vibrator
            .wait_until(|s| s.output(0, OutputType::Vibrate) == 10)
            .await;
        silent.store(true, Ordering::SeqCst);
        let went_silent = tokio::time::Instant::now();
        let stopped = server.vibrator.wait_until(|s| s.is_idle()).await;
        assert!(stopped.is_idle());
        let after = went_silent.elapsed();
        // Not before the window; and well within the test's time (the window plus a wake).
        assert!(after >= WINDOW / 2, "stopped after {after:?}");
        assert!(after < WINDOW * 4, "stopped after {after:?}");
    })
    .await;
}

#[tokio::test]
async fn a_slow_live_client_that_answers_pings_is_never_ended() {
    within(async {
        let server = TestServer::start_with(SessionConfig::default(), options(WINDOW), 8).await;
        let client = client_at(server.addr, Duration::ZERO).await;
        // Five windows without a single message from the client: only pings answered.
        vibrate_then_stay_quiet(&client, &server.vibrator).await;
    })
    .await;
}

#[tokio::test]
async fn the_client_notices_a_server_gone_silent() {
    within(async {
        let server =
            TestServer::start_with(SessionConfig::default(), options(Duration::ZERO), 8).await;
        let (relayed, silent) = relay(server.addr).await;
        let client = client_at(relayed, WINDOW).await;
        let mut events = client.events();
        silent.store(true, Ordering::SeqCst);
        loop {
            match events.recv().await {
                Ok(ClientEvent::Disconnected) => break,
                Ok(_) => {}
                Err(error) => panic!("events ended: {error}"),
            }
        }
        assert!(!client.is_connected());
    })
    .await;
}

/// A server with a simulated vibrator, on a local socket watching liveness with `WINDOW`.
async fn ipc_server(
    dir: &tempfile::TempDir,
) -> (
    Arc<plugwire::Server>,
    Arc<plugwire::devices::simulated::SimulatedDevice>,
    plugwire::ipc::IpcName,
) {
    use plugwire::devices::DeviceManager;
    use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
    use plugwire::ipc::{IpcListener, IpcName, IpcOptions};
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = plugwire::Server::new(plugwire::ServerConfig::default(), devices);
    let name = IpcName::Path(dir.path().join("liveness.sock"));
    let options = IpcOptions {
        liveness_timeout: WINDOW,
        ..IpcOptions::default()
    };
    let listener = IpcListener::bind(name.clone(), options)
        .await
        .expect("bind");
    let serving = server.clone();
    tokio::spawn(async move { serving.listen(listener, JsonSerializer).await });
    (server, vibrator, name)
}

#[tokio::test]
async fn a_frozen_local_client_has_its_outputs_stopped() {
    use futures::{SinkExt, StreamExt};
    use plugwire::core::{Establish, Frame};
    use plugwire::ipc::{IpcDialer, IpcOptions};
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_server, vibrator, name) = ipc_server(&dir).await;
        // A client with no heartbeats of its own: once it stops talking, it is frozen.
        let mut dialer = IpcDialer::new(
            name,
            IpcOptions {
                liveness_timeout: Duration::ZERO,
                ..IpcOptions::default()
            },
        );
        let mut transport = dialer.establish().await.expect("connect");
        let text = |t: &str| Frame::Text(t.to_owned().into());
        transport
            .send(text(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"frozen","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#))
            .await
            .expect("handshake");
        transport.next().await.expect("server info").expect("frame");
        transport
            .send(text(r#"[{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":10}}}}]"#))
            .await
            .expect("vibrate");
        vibrator
            .wait_until(|s| s.output(0, OutputType::Vibrate) == 10)
            .await;
        // Frozen: the socket stays open, nothing more is sent or read.
        let froze = tokio::time::Instant::now();
        vibrator.wait_until(|s| s.is_idle()).await;
        assert!(froze.elapsed() < WINDOW * 4, "{:?}", froze.elapsed());
        drop(transport);
    })
    .await;
}

#[tokio::test]
async fn a_quiet_local_client_with_heartbeats_is_never_ended() {
    use plugwire::ipc::{IpcDialer, IpcOptions};
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_server, vibrator, name) = ipc_server(&dir).await;
        let dialer = IpcDialer::new(
            name,
            IpcOptions {
                liveness_timeout: WINDOW,
                ..IpcOptions::default()
            },
        );
        let client = Client::connect("quiet", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect");
        vibrate_then_stay_quiet(&client, &vibrator).await;
    })
    .await;
}

/// A UDP relay to `target` for one client. Once `silent` is set it drops every datagram both
/// ways: a QUIC peer whose link died, with nothing ever closing.
async fn udp_relay(target: SocketAddr) -> (SocketAddr, Arc<AtomicBool>) {
    use tokio::net::UdpSocket;
    let outside = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    let addr = outside.local_addr().expect("address");
    let inside = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    inside.connect(target).await.expect("connect");
    let silent = Arc::new(AtomicBool::new(false));
    let (client_addr_tx, client_addr_rx) = tokio::sync::oneshot::channel();
    {
        let (outside, inside, silent) = (outside.clone(), inside.clone(), silent.clone());
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 64 * 1024];
            let mut client_addr_tx = Some(client_addr_tx);
            while let Ok((read, from)) = outside.recv_from(&mut buffer).await {
                if let Some(tx) = client_addr_tx.take() {
                    let _ = tx.send(from);
                }
                if !silent.load(Ordering::SeqCst) {
                    let _ = inside.send(&buffer[..read]).await;
                }
            }
        });
    }
    {
        let silent = silent.clone();
        tokio::spawn(async move {
            let Ok(client) = client_addr_rx.await else {
                return;
            };
            let mut buffer = vec![0u8; 64 * 1024];
            while let Ok(read) = inside.recv(&mut buffer).await {
                if !silent.load(Ordering::SeqCst) {
                    let _ = outside.send_to(&buffer[..read], client).await;
                }
            }
        });
    }
    (addr, silent)
}

/// A server with a simulated vibrator on QUIC, its idle timeout the liveness window.
async fn quic_server() -> (
    Arc<plugwire::Server>,
    Arc<plugwire::devices::simulated::SimulatedDevice>,
    SocketAddr,
    plugwire::quic::Fingerprint,
) {
    use plugwire::devices::DeviceManager;
    use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
    use plugwire::quic::{QuicListener, QuicOptions, ServerIdentity};
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = plugwire::Server::new(plugwire::ServerConfig::default(), devices);
    let identity = ServerIdentity::generate(&["localhost".to_owned()]).expect("identity");
    let options = QuicOptions {
        idle_timeout: WINDOW,
        keep_alive: WINDOW / 3,
        ..QuicOptions::default()
    };
    let listener = QuicListener::bind("127.0.0.1:0".parse().expect("address"), &identity, options)
        .expect("bind");
    let (addr, fingerprint) = (listener.local_addr(), listener.fingerprint());
    let serving = server.clone();
    tokio::spawn(async move { serving.listen(listener, JsonSerializer).await });
    (server, vibrator, addr, fingerprint)
}

async fn quic_client(addr: SocketAddr, fingerprint: plugwire::quic::Fingerprint) -> Client {
    use plugwire::quic::{QuicDialer, QuicOptions, ServerTrust};
    let options = QuicOptions {
        keep_alive: WINDOW / 3,
        ..QuicOptions::default()
    };
    let dialer = QuicDialer::new(
        "127.0.0.1",
        addr.port(),
        ServerTrust::Pinned(fingerprint),
        options,
    );
    Client::connect(
        "quic liveness",
        RemoteConnector::new(dialer, JsonSerializer),
    )
    .await
    .expect("connect")
}

#[tokio::test]
async fn a_quic_client_gone_silent_behind_a_relay_has_its_outputs_stopped() {
    within(async {
        let (_server, vibrator, addr, fingerprint) = quic_server().await;
        let (relayed, silent) = udp_relay(addr).await;
        let client = quic_client(relayed, fingerprint).await;
        client
            .device(0)
            .expect("vibrator")
            .vibrate(0.5)
            .await
            .expect("vibrate");
        vibrator
            .wait_until(|s| s.output(0, OutputType::Vibrate) == 10)
            .await;
        silent.store(true, Ordering::SeqCst);
        let went_silent = tokio::time::Instant::now();
        vibrator.wait_until(|s| s.is_idle()).await;
        let after = went_silent.elapsed();
        assert!(after >= WINDOW / 2, "stopped after {after:?}");
        assert!(after < WINDOW * 4, "stopped after {after:?}");
    })
    .await;
}

#[tokio::test]
async fn a_quiet_quic_client_kept_alive_is_never_ended() {
    within(async {
        let (_server, vibrator, addr, fingerprint) = quic_server().await;
        let (relayed, _silent) = udp_relay(addr).await;
        let client = quic_client(relayed, fingerprint).await;
        // Five windows without a message: only QUIC keep-alives pass the relay.
        vibrate_then_stay_quiet(&client, &vibrator).await;
    })
    .await;
}

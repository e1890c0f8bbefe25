//! Round trip of a Ping through plugwire's client and server, per transport, beside a raw
//! echo of the same frame over the same transport with no plugwire code (the floor).
//!
//! `cargo bench --bench round_trip`; the ratio plugwire ÷ raw per transport is what to read.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::{SinkExt, StreamExt};
use plugwire::connect::ConnectionUrl;
use plugwire::connect::{self, AnyListener, ConnectOptions, Detect};
use plugwire::core::{Establish, Frame, Listener, Transport};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::ipc::{IpcDialer, IpcListener, IpcName, IpcOptions};
use plugwire::quic::{QuicDialer, QuicListener, QuicOptions, ServerIdentity, ServerTrust};
use plugwire::server::{Server, ServerConfig, SessionConfig};
use plugwire::websocket::{WebSocketDialer, WebSocketListener, WebSocketOptions};
use plugwire::{Client, InProcessConnector};
use tokio::sync::Mutex;

/// The exact frame the plugwire client sends for a Ping.
const PING: &str = r#"[{"Ping":{"Id":1}}]"#;

fn server() -> Arc<Server> {
    let devices = Arc::new(DeviceManager::new());
    SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    // A long ping deadline, so Ping is answered with Ok rather than "ping is disabled".
    let session = SessionConfig {
        max_ping_time: Duration::from_secs(3600),
        ..SessionConfig::default()
    };
    Server::new(
        ServerConfig {
            session,
            ..ServerConfig::for_connections(16)
        },
        devices,
    )
}

/// A plugwire client connected to a plugwire server listening on `url`.
async fn plugwire_client(url: &str, options: &ConnectOptions) -> Client {
    let server = server();
    let listener = AnyListener::bind(&url.parse::<ConnectionUrl>().expect("url"), options)
        .await
        .expect("bind");
    let target: ConnectionUrl = listener.describe().parse().expect("listener URL");
    tokio::spawn(async move { server.listen(listener, Detect::default()).await });
    Client::connect("bench", connect::dial(&target, options).expect("dialer"))
        .await
        .expect("connect")
}

/// Echoes every frame back on each accepted connection.
fn spawn_echo<L: Listener>(listener: L) {
    tokio::spawn(async move {
        while let Ok((pending, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut transport) = pending.await else {
                    return;
                };
                while let Some(Ok(frame)) = transport.next().await {
                    if transport.send(frame).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

async fn echo_round_trip<T: Transport>(transport: &Mutex<T>) {
    let mut transport = transport.lock().await;
    transport
        .send(Frame::Text(PING.into()))
        .await
        .expect("send");
    transport.next().await.expect("echo").expect("frame");
}

fn bench(c: &mut Criterion) {
    // One thread for client, server and echo alike: the comparison measures work done, not
    // how the scheduler happens to spread tasks over the cores of a shared machine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ConnectOptions {
        data_dir: Some(dir.path().to_owned()),
        ..ConnectOptions::default()
    };
    let mut group = c.benchmark_group("ping round trip");

    // WebSocket.
    let client = runtime.block_on(plugwire_client("ws://127.0.0.1:0", &options));
    group.bench_function("websocket/plugwire", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.ping().await.expect("ping") })
    });
    let raw = runtime.block_on(async {
        let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
            .await
            .expect("bind");
        let url = format!("ws://{}", listener.local_addr());
        spawn_echo(listener);
        Mutex::new(
            WebSocketDialer::new(&url, WebSocketOptions::default())
                .expect("url")
                .establish()
                .await
                .expect("dial"),
        )
    });
    group.bench_function("websocket/raw echo", |b| {
        b.to_async(&runtime).iter(|| echo_round_trip(&raw))
    });

    // Local socket file.
    let path = dir.path().join("bench.sock");
    let client = runtime.block_on(plugwire_client(
        &format!("ipc://{}", path.display()),
        &options,
    ));
    group.bench_function("ipc/plugwire", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.ping().await.expect("ping") })
    });
    let raw = runtime.block_on(async {
        let name = IpcName::Path(dir.path().join("echo.sock"));
        spawn_echo(
            IpcListener::bind(name.clone(), IpcOptions::default())
                .await
                .expect("bind"),
        );
        Mutex::new(
            IpcDialer::new(name, IpcOptions::default())
                .establish()
                .await
                .expect("dial"),
        )
    });
    group.bench_function("ipc/raw echo", |b| {
        b.to_async(&runtime).iter(|| echo_round_trip(&raw))
    });

    // QUIC.
    let client = runtime.block_on(plugwire_client("quic://127.0.0.1:0", &options));
    group.bench_function("quic/plugwire", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.ping().await.expect("ping") })
    });
    let raw = runtime.block_on(async {
        let identity = ServerIdentity::generate(&["localhost".to_owned()]).expect("identity");
        let listener = QuicListener::bind(
            "127.0.0.1:0".parse().expect("addr"),
            &identity,
            QuicOptions::default(),
        )
        .expect("bind");
        let (port, trust) = (
            listener.local_addr().port(),
            ServerTrust::Pinned(listener.fingerprint()),
        );
        spawn_echo(listener);
        Mutex::new(
            QuicDialer::new("127.0.0.1", port, trust, QuicOptions::default())
                .establish()
                .await
                .expect("dial"),
        )
    });
    group.bench_function("quic/raw echo", |b| {
        b.to_async(&runtime).iter(|| echo_round_trip(&raw))
    });

    // In-process, for reference: the cost of plugwire's own machinery with no transport.
    let client = runtime.block_on(async {
        Client::connect("bench", InProcessConnector::new(server()))
            .await
            .expect("connect")
    });
    group.bench_function("in-process/plugwire", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.ping().await.expect("ping") })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);

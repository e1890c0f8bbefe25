//! Sessions over the length-delimited transports (local sockets, QUIC) with raw frames: an
//! over-maximum frame is refused and the peer told, and a peer vanishing mid-frame ends its
//! session and stops what it drove.

mod common;

use std::sync::Arc;

use common::{assert_error, within};
use futures::{SinkExt, StreamExt};
use plugwire::core::message::OutputType;
use plugwire::core::{Establish, Frame};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::ipc::{IpcDialer, IpcListener, IpcName, IpcOptions};
use plugwire::json::JsonSerializer;
use plugwire::quic::{QuicDialer, QuicListener, QuicOptions, ServerIdentity, ServerTrust};
use plugwire::server::{Server, ServerConfig};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

const MAX: usize = 4096;

fn server() -> (Arc<Server>, Arc<SimulatedDevice>) {
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    (Server::new(ServerConfig::default(), devices), vibrator)
}

fn json(frame: Frame) -> Value {
    serde_json::from_slice(frame.bytes()).expect("the server answers in JSON")
}

const HANDSHAKE: &str = r#"[{"RequestServerInfo":{"Id":1,"ClientName":"raw","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#;
const VIBRATE: &str = r#"[{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":8}}}}]"#;

/// Handshakes and vibrates, so there is something to stop when the session ends.
async fn start_vibrating<T: plugwire::core::Transport>(client: &mut T, vibrator: &SimulatedDevice) {
    client
        .send(Frame::Text(HANDSHAKE.into()))
        .await
        .expect("send");
    assert!(json(client.next().await.expect("reply").expect("ok"))[0]["ServerInfo"].is_object());
    client
        .send(Frame::Text(VIBRATE.into()))
        .await
        .expect("send");
    assert_eq!(
        json(client.next().await.expect("reply").expect("ok"))[0]["Ok"]["Id"],
        2
    );
    assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 8);
}

#[tokio::test]
async fn ipc_over_maximum_frame_is_refused_and_the_peer_told() {
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let name = IpcName::Path(dir.path().join("limits.sock"));
        let options = IpcOptions {
            max_frame: MAX,
            ..IpcOptions::default()
        };
        let (server, vibrator) = server();
        let listener = IpcListener::bind(name.clone(), options.clone())
            .await
            .expect("bind");
        let serving = server.clone();
        tokio::spawn(async move { serving.listen(listener, JsonSerializer).await });

        // The client side allows bigger frames than the server, so the server must refuse it.
        let mut dialer = IpcDialer::new(
            name.clone(),
            IpcOptions {
                max_frame: 4 * MAX,
                ..IpcOptions::default()
            },
        );
        let mut client = dialer.establish().await.expect("dial");
        start_vibrating(&mut client, &vibrator).await;
        let huge = format!(r#"[{{"Ping":{{"Id":3,"Pad":"{}"}}}}]"#, "x".repeat(2 * MAX));
        client.send(Frame::Text(huge.into())).await.expect("send");
        assert_error(&json(client.next().await.expect("told").expect("ok")), 0, 3);
        let end = client.next().await;
        assert!(
            matches!(end, None | Some(Err(_))),
            "then the stream ends, got {end:?}"
        );
        vibrator.wait_until(|s| s.is_idle()).await;

        // A peer vanishing mid-frame ends its session; its output stops.
        let mut dialer = IpcDialer::new(name, options);
        let mut client = dialer.establish().await.expect("dial");
        start_vibrating(&mut client, &vibrator).await;
        let mut raw = client.into_inner();
        raw.write_all(&100u32.to_be_bytes()).await.expect("write");
        raw.write_all(b"[{\"Pi").await.expect("write");
        drop(raw);
        vibrator.wait_until(|s| s.is_idle()).await;
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn quic_over_maximum_frame_is_refused_and_the_peer_told() {
    within(async {
        let identity = ServerIdentity::generate(&["localhost".to_owned()]).expect("identity");
        let options = QuicOptions {
            max_frame: MAX,
            ..QuicOptions::default()
        };
        let (server, vibrator) = server();
        let listener = QuicListener::bind("127.0.0.1:0".parse().expect("addr"), &identity, options)
            .expect("bind");
        let port = listener.local_addr().port();
        let trust = ServerTrust::Pinned(listener.fingerprint());
        let serving = server.clone();
        tokio::spawn(async move { serving.listen(listener, JsonSerializer).await });

        let generous = QuicOptions {
            max_frame: 4 * MAX,
            ..QuicOptions::default()
        };
        let mut dialer = QuicDialer::new("127.0.0.1", port, trust.clone(), generous.clone());
        let mut client = dialer.establish().await.expect("dial");
        start_vibrating(&mut client, &vibrator).await;
        let huge = format!(r#"[{{"Ping":{{"Id":3,"Pad":"{}"}}}}]"#, "x".repeat(2 * MAX));
        client.send(Frame::Text(huge.into())).await.expect("send");
        assert_error(&json(client.next().await.expect("told").expect("ok")), 0, 3);
        vibrator.wait_until(|s| s.is_idle()).await;

        let mut dialer = QuicDialer::new("127.0.0.1", port, trust, generous);
        let mut client = dialer.establish().await.expect("dial");
        start_vibrating(&mut client, &vibrator).await;
        let mut raw = client.into_inner();
        raw.write_all(&100u32.to_be_bytes()).await.expect("write");
        raw.write_all(b"[{\"Pi").await.expect("write");
        raw.flush().await.expect("flush");
        drop(raw);
        vibrator.wait_until(|s| s.is_idle()).await;
        server.shutdown().await;
    })
    .await;
}

//! Serializer detection per connection: a session started in MessagePack is answered in
//! MessagePack, one started in JSON in JSON, on every transport; a frame of the other
//! serializer mid-session gets an Error and the session goes on; JSON and MessagePack clients
//! are served side by side by one server.

mod common;

use std::sync::Arc;

use common::{serve_any, within};
use futures::{SinkExt, StreamExt};
use plugwire::Client;
use plugwire::connect::ConnectionUrl;
use plugwire::connect::{self, AnyDialer};
use plugwire::core::message::{OutputCommand, OutputType};
use plugwire::core::{Establish, Frame, Transport};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::server::{Server, ServerConfig};
use serde_json::{Value, json};

const HANDSHAKE: &str = r#"[{"RequestServerInfo":{"Id":1,"ClientName":"raw","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#;
const LIST: &str = r#"[{"RequestDeviceList":{"Id":2}}]"#;
const VIBRATE: &str = r#"[{"OutputCmd":{"Id":3,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":6}}}}]"#;

fn msgpack(json_text: &str) -> Frame {
    let value: Value = serde_json::from_str(json_text).expect("json");
    Frame::Binary(rmp_serde::to_vec_named(&value).expect("encode").into())
}

/// Reads one reply, asserting it is in MessagePack (binary) or JSON (text) as `binary` says.
async fn reply<T: Transport>(transport: &mut T, binary: bool) -> Value {
    let frame = transport.next().await.expect("a reply").expect("no error");
    match (&frame, binary) {
        (Frame::Binary(bytes), true) => rmp_serde::from_slice(bytes).expect("MessagePack reply"),
        (Frame::Text(bytes), false) => serde_json::from_slice(bytes).expect("JSON reply"),
        _ => panic!("answered in the wrong serializer: {frame:?}"),
    }
}

/// One MessagePack session and one JSON session on `transport`-made connections.
async fn both_serializers<T: Transport, F>(mut connect: F, vibrator: &SimulatedDevice)
where
    F: AsyncFnMut() -> T,
{
    // MessagePack first: answered in MessagePack from then on.
    let mut binary = connect().await;
    binary.send(msgpack(HANDSHAKE)).await.expect("send");
    assert_eq!(
        reply(&mut binary, true).await[0]["ServerInfo"]["ProtocolVersionMajor"],
        4
    );
    binary.send(msgpack(VIBRATE)).await.expect("send");
    assert_eq!(reply(&mut binary, true).await, json!([{"Ok": {"Id": 3}}]));
    assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 6);
    // A JSON frame mid-session: an Error, in MessagePack, and the session goes on.
    binary.send(Frame::Text(LIST.into())).await.expect("send");
    let error = reply(&mut binary, true).await;
    assert_eq!(error[0]["Error"]["ErrorCode"], 3, "{error}");
    binary.send(msgpack(LIST)).await.expect("send");
    assert_eq!(reply(&mut binary, true).await[0]["DeviceList"]["Id"], 2);

    // JSON: answered in JSON; a MessagePack frame mid-session is refused the same way.
    let mut text = connect().await;
    text.send(Frame::Text(HANDSHAKE.into()))
        .await
        .expect("send");
    assert_eq!(
        reply(&mut text, false).await[0]["ServerInfo"]["ProtocolVersionMajor"],
        4
    );
    text.send(msgpack(LIST)).await.expect("send");
    let error = reply(&mut text, false).await;
    assert_eq!(error[0]["Error"]["ErrorCode"], 3, "{error}");
    text.send(Frame::Text(LIST.into())).await.expect("send");
    assert_eq!(reply(&mut text, false).await[0]["DeviceList"]["Id"], 2);
}

fn server() -> (Arc<Server>, Arc<SimulatedDevice>) {
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    (Server::new(ServerConfig::default(), devices), vibrator)
}

async fn run_on(listen: &str) {
    let (server, vibrator) = server();
    let (address, options, _dir) = serve_any(&server, listen).await;
    let target: ConnectionUrl = address.parse().expect("url");
    let mut dialer = AnyDialer::new(&target, &options).expect("dialer");
    both_serializers(async || dialer.establish().await.expect("dial"), &vibrator).await;
    server.shutdown().await;
}

#[tokio::test]
async fn websocket_answers_each_session_in_its_own_serializer() {
    within(run_on("ws://127.0.0.1:0")).await;
}

#[tokio::test]
async fn ipc_answers_each_session_in_its_own_serializer() {
    within(run_on("ipc://DIR/serializers.sock")).await;
}

#[tokio::test]
async fn quic_answers_each_session_in_its_own_serializer() {
    within(run_on("quic://127.0.0.1:0")).await;
}

#[tokio::test]
async fn json_and_msgpack_clients_side_by_side_on_one_server() {
    within(async {
        let (server, vibrator) = server();
        let (address, options, _dir) = serve_any(&server, "ws://127.0.0.1:0").await;
        let json_url: ConnectionUrl = format!("{address}?format=json").parse().expect("url");
        let msgpack_url: ConnectionUrl = format!("{address}?format=msgpack").parse().expect("url");
        let (json_client, msgpack_client) = tokio::join!(
            Client::connect("json", connect::dial(&json_url, &options).expect("dialer")),
            Client::connect(
                "msgpack",
                connect::dial(&msgpack_url, &options).expect("dialer")
            ),
        );
        let (json_client, msgpack_client) =
            (json_client.expect("json"), msgpack_client.expect("msgpack"));
        let (by_json, by_msgpack) = (
            json_client.device(0).expect("vibrator"),
            msgpack_client.device(0).expect("vibrator"),
        );
        let (a, b) = tokio::join!(
            by_json.output(0, OutputCommand::new(OutputType::Vibrate, 4)),
            by_msgpack.output(1, OutputCommand::new(OutputType::Vibrate, 9)),
        );
        a.expect("json command");
        b.expect("msgpack command");
        let state = vibrator.state();
        assert_eq!(
            (
                state.output(0, OutputType::Vibrate),
                state.output(1, OutputType::Vibrate)
            ),
            (4, 9)
        );
        msgpack_client.disconnect().await.expect("disconnect");
        let state = vibrator
            .wait_until(|s| s.output(1, OutputType::Vibrate) == 0)
            .await;
        assert_eq!(
            state.output(0, OutputType::Vibrate),
            4,
            "the JSON client's output keeps going"
        );
        json_client.disconnect().await.expect("disconnect");
    })
    .await;
}

//! The REST API against simulated devices: every route, its errors, the access token, the
//! REST session's life, and the event stream carrying what a WebSocket client did.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::http::{EventReader, request};
use common::{TestServer, within};
use plugwire::AccessToken;
use plugwire::core::message::OutputType;
use plugwire::json::JsonSerializer;
use plugwire::rest::RestApi;
use plugwire::websocket::{WebSocketDialer, WebSocketOptions};
use plugwire::{Client, RemoteConnector};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A test server (WebSocket on port 0, simulated vibrator 0, stroker 1, rotator 2) with the
/// REST API beside it.
async fn start(token: Option<AccessToken>) -> (TestServer, SocketAddr) {
    let test = TestServer::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
    let addr = listener.local_addr().expect("REST address");
    let api = RestApi::new(test.server.clone()).with_access_token(token);
    tokio::spawn(api.serve(listener));
    (test, addr)
}

async fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    request(addr, "GET", path, "").await
}

async fn post(addr: SocketAddr, path: &str) -> (u16, Value) {
    request(addr, "POST", path, "").await
}

async fn put(addr: SocketAddr, path: &str) -> (u16, Value) {
    request(addr, "PUT", path, "").await
}

/// Asserts a JSON error with this status.
fn assert_error((status, body): (u16, Value), expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn device_list_and_device_routes() {
    within(async {
        let (_test, addr) = start(None).await;
        let (status, list) = get(addr, "/api/v1/devices").await;
        assert_eq!(status, 200);
        let vibrator = &list["0"];
        assert_eq!(vibrator["index"], 0);
        assert_eq!(vibrator["name"], "plugwire Simulated Vibrator");
        assert_eq!(vibrator["display_name"], Value::Null);
        assert_eq!(
            vibrator["features"]["0"]["Output"]["Vibrate"]["Value"],
            json!([0, 20])
        );
        assert_eq!(
            vibrator["features"]["2"]["Input"]["Battery"]["Value"],
            json!([[0, 100]])
        );
        assert_eq!(
            list["2"]["features"]["0"]["Output"]["Rotate"]["Value"],
            json!([-20, 20])
        );

        let (status, device) = get(addr, "/api/v1/devices/1").await;
        assert_eq!(status, 200);
        assert_eq!(device["name"], "plugwire Simulated Stroker");
        let (status, features) = get(addr, "/api/v1/devices/1/features").await;
        assert_eq!(status, 200);
        assert_eq!(
            features["0"]["Output"]["HwPositionWithDuration"]["Duration"],
            json!([0, 100000])
        );
        assert_eq!(post(addr, "/api/v1/start-scanning").await.0, 200);
        assert_eq!(post(addr, "/api/v1/stop-scanning").await.0, 200);

        assert_error(get(addr, "/api/v1/devices/9").await, 404);
        assert_error(get(addr, "/api/v1/devices/9/features").await, 404);
        assert_error(get(addr, "/api/v1/devices/zero").await, 400);
        assert_error(get(addr, "/api/v1/no-such-route").await, 404);
        assert_error(get(addr, "/elsewhere").await, 404);
    })
    .await;
}

#[tokio::test]
async fn outputs_are_set_as_fractions_and_stopped() {
    within(async {
        let (test, addr) = start(None).await;
        let (status, set) = put(addr, "/api/v1/devices/0/outputs/Vibrate/0.5").await;
        assert_eq!(status, 200, "{set}");
        assert_eq!(set.as_array().map(Vec::len), Some(2), "both motors: {set}");
        test.vibrator
            .wait_until(|s| {
                s.output(0, OutputType::Vibrate) == 10 && s.output(1, OutputType::Vibrate) == 10
            })
            .await;
        let (status, _) = put(addr, "/api/v1/devices/0/features/1/outputs/Vibrate/1.0").await;
        assert_eq!(status, 200);
        test.vibrator
            .wait_until(|s| s.output(1, OutputType::Vibrate) == 20)
            .await;
        let (_, device) = get(addr, "/api/v1/devices/0").await;
        assert_eq!(device["levels"]["1"]["Vibrate"], 20, "{device}");

        put(addr, "/api/v1/devices/2/outputs/Rotate/-0.25").await;
        test.rotator
            .wait_until(|s| s.output(0, OutputType::Rotate) == -5)
            .await;
        let (status, _) = put(
            addr,
            "/api/v1/devices/1/features/0/outputs/HwPositionWithDuration/0.3?duration=500",
        )
        .await;
        assert_eq!(status, 200);
        test.stroker
            .wait_until(|s| s.output(0, OutputType::HwPositionWithDuration) == 30)
            .await;

        assert_eq!(put(addr, "/api/v1/devices/2/stop").await.0, 200);
        test.rotator
            .wait_until(|s| s.output(0, OutputType::Rotate) == 0)
            .await;
        assert_eq!(put(addr, "/api/v1/devices/stop").await.0, 200);
        test.vibrator.wait_until(|s| s.is_idle()).await;

        assert_error(
            put(addr, "/api/v1/devices/9/outputs/Vibrate/0.5").await,
            404,
        );
        assert_error(put(addr, "/api/v1/devices/9/stop").await, 404);
        assert_error(
            put(addr, "/api/v1/devices/0/features/7/outputs/Vibrate/0.5").await,
            404,
        );
        assert_error(put(addr, "/api/v1/devices/0/outputs/Rotate/0.5").await, 404);
        assert_error(
            put(addr, "/api/v1/devices/0/features/2/outputs/Vibrate/0.5").await,
            404,
        );
        assert_error(
            put(addr, "/api/v1/devices/0/outputs/Vibrate/1.5").await,
            400,
        );
        assert_error(
            put(addr, "/api/v1/devices/0/outputs/Vibrate/-0.5").await,
            400,
        );
        assert_error(
            put(addr, "/api/v1/devices/0/outputs/Vibrate/loud").await,
            400,
        );
        assert_error(put(addr, "/api/v1/devices/0/outputs/Buzz/0.5").await, 400);
        assert_error(
            put(
                addr,
                "/api/v1/devices/1/outputs/HwPositionWithDuration/0.5?duration=999999",
            )
            .await,
            400,
        );
        assert_eq!(
            get(addr, "/api/v1/devices/0/outputs/Vibrate/0.5").await.0,
            405,
            "outputs are PUT"
        );
    })
    .await;
}

#[tokio::test]
async fn inputs_are_read() {
    within(async {
        let (test, addr) = start(None).await;
        test.vibrator.set_battery(64);
        let (status, reading) = post(addr, "/api/v1/devices/0/inputs/Battery").await;
        assert_eq!(status, 200, "{reading}");
        assert_eq!(
            reading,
            json!({"device": 0, "feature": 2, "type": "Battery", "value": 64})
        );
        let (status, reading) = post(addr, "/api/v1/devices/0/features/2/inputs/Battery").await;
        assert_eq!(status, 200);
        assert_eq!(reading["value"], 64);
        assert_error(post(addr, "/api/v1/devices/1/inputs/Battery").await, 404);
        assert_error(
            post(addr, "/api/v1/devices/0/features/0/inputs/Battery").await,
            404,
        );
        assert_error(post(addr, "/api/v1/devices/0/inputs/Smell").await, 400);
        assert_error(post(addr, "/api/v1/devices/9/inputs/Battery").await, 404);
    })
    .await;
}

#[tokio::test]
async fn beyond_loopback_the_token_is_required() {
    within(async {
        let token = AccessToken::new("rest-test-token-0123456789").expect("valid token");
        let (_test, addr) = start(Some(token)).await;
        assert_error(get(addr, "/api/v1/devices").await, 401);
        assert_error(
            get(addr, "/api/v1/devices?token=wrong-token-0123456789").await,
            401,
        );
        assert_eq!(get(addr, "/").await.0, 401);
        assert_eq!(
            get(addr, "/api/v1/devices?token=rest-test-token-0123456789")
                .await
                .0,
            200
        );
        let bearer = "Authorization: Bearer rest-test-token-0123456789\r\n";
        assert_eq!(request(addr, "GET", "/api/v1/devices", bearer).await.0, 200);
    })
    .await;
}

#[tokio::test]
async fn rest_outputs_belong_to_the_rest_session_until_the_server_stops() {
    within(async {
        let (test, addr) = start(None).await;
        put(addr, "/api/v1/devices/0/features/0/outputs/Vibrate/0.5").await;
        test.vibrator
            .wait_until(|s| s.output(0, OutputType::Vibrate) == 10)
            .await;
        // A WebSocket client coming and going drove nothing, so stops nothing.
        let client = websocket_client(&test).await;
        client.disconnect().await.expect("disconnect");
        assert_eq!(test.vibrator.state().output(0, OutputType::Vibrate), 10);
        test.server.shutdown().await;
        test.vibrator.wait_until(|s| s.is_idle()).await;
    })
    .await;
}

#[tokio::test]
async fn events_carry_what_a_websocket_client_does() {
    within(async {
        let (test, addr) = start(None).await;
        let mut events = EventReader::open(addr).await;
        let (name, list) = events.next().await;
        assert_eq!(name, "devices");
        assert_eq!(list["0"]["name"], "plugwire Simulated Vibrator");

        let client = websocket_client(&test).await;
        client
            .device(0)
            .expect("vibrator listed")
            .vibrate(0.5)
            .await
            .expect("vibrate");
        let output = events.next_named("output").await;
        assert_eq!(output["device"], 0);
        assert_eq!(output["type"], "Vibrate");
        assert_eq!(output["value"], 10);
        assert_eq!(output["level"], 0.5);

        post(addr, "/api/v1/devices/0/inputs/Battery").await;
        let input = events.next_named("input").await;
        assert_eq!(input["type"], "Battery");
        assert_eq!(input["value"], 87);

        // The client leaving stops what it drove: the stream says so.
        client.disconnect().await.expect("disconnect");
        loop {
            let output = events.next_named("output").await;
            if output["value"] == 0 {
                break;
            }
        }

        let removed = test.server.devices().remove_device(2);
        assert!(removed);
        assert_eq!(
            events.next_named("device-removed").await,
            json!({"index": 2})
        );
    })
    .await;
}

async fn websocket_client(test: &TestServer) -> Arc<Client> {
    let dialer = WebSocketDialer::new(&test.url(), WebSocketOptions::default()).expect("dialer");
    Arc::new(
        Client::connect("rest test", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect client"),
    )
}

/// One raw request with a `Host` of the caller's choosing; the whole response head.
async fn raw_head(addr: SocketAddr, method: &str, path: &str, headers: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect REST");
    let head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n{headers}\r\n");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    text.split_once("\r\n\r\n")
        .map_or(text.clone(), |(head, _)| head.to_owned())
}

#[tokio::test]
async fn a_page_elsewhere_cannot_drive_or_watch_a_toy() {
    within(async {
        let (test, addr) = start(None).await;
        let drive = "/api/v1/devices/0/outputs/Vibrate/1.0";
        // DNS rebinding: the page's own domain, resolved to loopback.
        let head = raw_head(addr, "PUT", drive, "Host: evil.example\r\n").await;
        assert!(head.starts_with("HTTP/1.1 421"), "{head}");
        let head = raw_head(
            addr,
            "GET",
            "/api/v1/events",
            &format!("Host: evil.example:{}\r\n", addr.port()),
        )
        .await;
        assert!(head.starts_with("HTTP/1.1 421"), "{head}");
        // Another site's page, with this server's own Host.
        let host = format!("Host: {addr}\r\n");
        let cross = format!("{host}Origin: http://evil.example\r\n");
        assert!(
            raw_head(addr, "PUT", drive, &cross)
                .await
                .starts_with("HTTP/1.1 403")
        );
        let fetch = format!("{host}Sec-Fetch-Site: cross-site\r\n");
        assert!(
            raw_head(addr, "PUT", drive, &fetch)
                .await
                .starts_with("HTTP/1.1 403")
        );
        // An <img> is a GET: nothing that acts on hardware answers one.
        let head = raw_head(addr, "GET", "/api/v1/start-scanning", &host).await;
        assert!(head.starts_with("HTTP/1.1 405"), "{head}");
        let head = raw_head(addr, "GET", "/api/v1/devices/0/inputs/Battery", &host).await;
        assert!(head.starts_with("HTTP/1.1 405"), "{head}");
        assert_eq!(
            test.vibrator.state().output(0, OutputType::Vibrate),
            0,
            "the toy never moved"
        );

        // The page itself may not be framed or sniffed.
        let head = raw_head(addr, "GET", "/", &host).await.to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("x-frame-options: deny"), "{head}");
        assert!(
            head.contains("content-security-policy: frame-ancestors 'none'"),
            "{head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        // This server's own page drives it.
        let own = format!("{host}Origin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\n");
        assert!(
            raw_head(addr, "PUT", drive, &own)
                .await
                .starts_with("HTTP/1.1 200")
        );
    })
    .await;
}

#[tokio::test]
async fn nothing_is_obeyed_once_shutdown_begins() {
    within(async {
        let (test, addr) = start(None).await;
        let mut client = common::RawClient::connect(test.addr).await;
        client.handshake_v4().await;
        test.server.devices().close();
        let (status, body) = put(addr, "/api/v1/devices/0/outputs/Vibrate/1.0").await;
        assert_eq!(status, 503, "{body}");
        let reply = client
            .request(r#"[{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":20}}}}]"#)
            .await;
        common::assert_error(&reply, 4, 4);
        assert_eq!(test.vibrator.state().output(0, OutputType::Vibrate), 0, "the toy never moved");
    })
    .await;
}

//! The bad-input table: every malformed or unexpected input gets an Error with the right code
//! and Id, the connection stays usable where the protocol allows, and the server keeps
//! serving everyone else.

mod common;

use common::{RawClient, TestServer, assert_error, assert_ok, within};
use futures::{SinkExt, StreamExt};
use plugwire::core::message::OutputType;
use plugwire::server::SessionConfig;
use plugwire::websocket::WebSocketOptions;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

/// Input, expected Error Id, expected Error code: all sent after a v4 handshake.
const AFTER_HANDSHAKE: &[(&str, u32, u32)] = &[
    // Bad JSON: the Id is still readable, so it is used.
    (r#"[{"Ping":{"Id":5}"#, 5, 3),
    // Bad JSON with no Id to be found.
    ("this is not json", 0, 3),
    // Unknown message.
    (r#"[{"Frobnicate":{"Id":4}}]"#, 4, 3),
    // Id 0 is reserved for the server.
    (r#"[{"RequestDeviceList":{"Id":0}}]"#, 0, 3),
    // A bare object instead of an array.
    (r#"{"RequestDeviceList":{"Id":6}}"#, 6, 3),
    // An empty array.
    ("[]", 0, 3),
    // A known message with a field of the wrong type.
    (
        r#"[{"OutputCmd":{"Id":8,"DeviceIndex":"zero","FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#,
        8,
        3,
    ),
    // A known message with a field missing.
    (
        r#"[{"OutputCmd":{"Id":9,"DeviceIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#,
        9,
        3,
    ),
    // A message of another spec version.
    (
        r#"[{"ScalarCmd":{"Id":10,"DeviceIndex":0,"Scalars":[]}}]"#,
        10,
        3,
    ),
    // A second handshake.
    (
        r#"[{"RequestServerInfo":{"Id":11,"ClientName":"again","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#,
        11,
        1,
    ),
    // Unknown device.
    (
        r#"[{"OutputCmd":{"Id":12,"DeviceIndex":99,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#,
        12,
        4,
    ),
    // Unknown feature.
    (
        r#"[{"OutputCmd":{"Id":13,"DeviceIndex":0,"FeatureIndex":9,"Command":{"Vibrate":{"Value":1}}}}]"#,
        13,
        4,
    ),
    // Output the feature does not have.
    (
        r#"[{"OutputCmd":{"Id":14,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Rotate":{"Value":1}}}}]"#,
        14,
        4,
    ),
    // Out of range, above and below.
    (
        r#"[{"OutputCmd":{"Id":15,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":21}}}}]"#,
        15,
        4,
    ),
    (
        r#"[{"OutputCmd":{"Id":16,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":-1}}}}]"#,
        16,
        4,
    ),
    (
        r#"[{"OutputCmd":{"Id":17,"DeviceIndex":1,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":50,"Duration":200000}}}}]"#,
        17,
        4,
    ),
    // Input the feature does not have, and a command it does not support.
    (
        r#"[{"InputCmd":{"Id":18,"DeviceIndex":0,"FeatureIndex":0,"Type":"Battery","Command":"Read"}}]"#,
        18,
        4,
    ),
    (
        r#"[{"InputCmd":{"Id":19,"DeviceIndex":0,"FeatureIndex":2,"Type":"Battery","Command":"Unsubscribe"}}]"#,
        19,
        4,
    ),
    // Stop of an unknown device.
    (r#"[{"StopCmd":{"Id":20,"DeviceIndex":42}}]"#, 20, 4),
    // Ping while the ping deadline is off.
    (r#"[{"Ping":{"Id":21}}]"#, 21, 2),
];

#[tokio::test]
async fn every_bad_input_is_answered_and_the_connection_survives() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        for (input, id, code) in AFTER_HANDSHAKE {
            let reply = client.request(input).await;
            assert_eq!(
                reply.as_array().map(Vec::len),
                Some(1),
                "one reply for {input}: {reply}"
            );
            assert_error(&reply, *id, *code);
            // Still usable afterwards.
            assert_eq!(
                client
                    .request(r#"[{"RequestDeviceList":{"Id":100}}]"#)
                    .await[0]["DeviceList"]["Id"],
                100
            );
        }
        // None of the refused commands moved anything.
        assert!(server.vibrator.state().history.is_empty());
        assert!(server.stroker.state().history.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_binary_frame_is_answered_with_an_error() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        client.send_binary(br#"[{"Ping":{"Id":3}}]"#).await;
        assert_error(&client.next_json().await, 0, 3);
        assert_ok(&client.request(r#"[{"StopCmd":{"Id":4}}]"#).await, 4);
    })
    .await;
}

#[tokio::test]
async fn messages_before_the_handshake_are_refused_until_it_happens() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        assert_error(&client.request(r#"[{"RequestDeviceList":{"Id":1}}]"#).await, 1, 1);
        let vibrate = r#"[{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":5}}}}]"#;
        assert_error(&client.request(vibrate).await, 2, 1);
        assert!(server.vibrator.state().history.is_empty());
        // A newer major version is refused with code 1, not silence; a supported one then works.
        let newer = r#"[{"RequestServerInfo":{"Id":3,"ClientName":"future","ProtocolVersionMajor":5,"ProtocolVersionMinor":0}}]"#;
        assert_error(&client.request(newer).await, 3, 1);
        let newer_legacy = r#"[{"RequestServerInfo":{"Id":4,"ClientName":"future","MessageVersion":9}}]"#;
        assert_error(&client.request(newer_legacy).await, 4, 1);
        assert_eq!(client.handshake_v4().await[0]["ServerInfo"]["ProtocolVersionMajor"], 4);
    })
    .await;
}

#[tokio::test]
async fn an_oversized_frame_gets_an_error_and_close_1009() {
    within(async {
        let options = WebSocketOptions {
            max_message_size: 4096,
            ..WebSocketOptions::default()
        };
        let server = TestServer::start_with(SessionConfig::default(), options, 64).await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        let vibrate = r#"[{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":5}}}}]"#;
        assert_ok(&client.request(vibrate).await, 2);

        let huge = format!(r#"[{{"Ping":{{"Id":3,"Pad":"{}"}}}}]"#, "x".repeat(10_000));
        client.send_text(&huge).await;
        assert_error(&client.next_json().await, 0, 3);
        let close = client.expect_close().await.expect("a close frame, not a reset");
        assert_eq!(close.code, CloseCode::Size);
        // The session ended, so what it drove stopped.
        server.vibrator.wait_until(|s| s.output(0, OutputType::Vibrate) == 0).await;

        // Others are still served.
        let mut other = RawClient::connect(server.addr).await;
        assert_eq!(other.handshake_v4().await[0]["ServerInfo"]["Id"], 1);
    })
    .await;
}

/// A message far beyond the limit (and beyond the server's read buffer) still gets its Error and
/// Close 1009, not a reset that would destroy them.
#[tokio::test]
async fn a_message_much_larger_than_the_limit_gets_its_close_too() {
    within(async {
        let server = TestServer::start().await; // default limit: 1 MiB
        let (socket, _) = tokio_tungstenite::connect_async(server.url())
            .await
            .expect("connect");
        let (mut sink, mut stream) = socket.split();
        let huge = format!(
            r#"[{{"Ping":{{"Id":3,"Pad":"{}"}}}}]"#,
            "x".repeat(4 * 1024 * 1024)
        );
        // The server may stop reading part-way, so send while reading.
        let sender = tokio::spawn(async move {
            let _ = sink.send(Message::text(huge)).await;
            sink
        });
        let mut error = None;
        let mut close = None;
        while let Some(message) = stream.next().await {
            match message {
                Ok(Message::Text(text)) => {
                    error = Some(serde_json::from_str::<serde_json::Value>(&text).expect("json"))
                }
                Ok(Message::Close(frame)) => {
                    close = frame;
                    break;
                }
                Ok(_) => {}
                Err(e) => panic!("connection broke instead of closing: {e}"),
            }
        }
        assert_error(&error.expect("an Error before the close"), 0, 3);
        assert_eq!(close.expect("a close frame").code, CloseCode::Size);
        drop(sender.await);
    })
    .await;
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_gets_an_error_and_close_1007() {
    within(async {
        let server = TestServer::start().await;
        let (mut socket, _) = tokio_tungstenite::connect_async(server.url())
            .await
            .expect("connect");
        let bad = WsFrame::message(vec![b'[', 0xff, 0xfe, b']'], OpCode::Data(Data::Text), true);
        socket.send(Message::Frame(bad)).await.expect("send");
        let mut error = None;
        let close = loop {
            match socket.next().await.expect("a reply").expect("no reset") {
                Message::Text(text) => {
                    error = Some(serde_json::from_str::<serde_json::Value>(&text).expect("json"))
                }
                Message::Close(frame) => break frame,
                _ => {}
            }
        };
        assert_error(&error.expect("an Error before the close"), 0, 3);
        assert_eq!(close.expect("a close frame").code, CloseCode::Invalid);
    })
    .await;
}

#[tokio::test]
async fn legacy_clients_get_errors_with_their_ids_too() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v3","MessageVersion":3}}]"#).await;
        let table = [
            (r#"[{"ScalarCmd":{"Id":2,"DeviceIndex":0,"Scalars":[{"Index":7,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}]"#, 2, 4),
            (r#"[{"ScalarCmd":{"Id":3,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":1.5,"ActuatorType":"Vibrate"}]}}]"#, 3, 4),
            (r#"[{"ScalarCmd":{"Id":4,"DeviceIndex":0,"Scalars":[{"Index":0,"Scalar":0.5,"ActuatorType":"Rotate"}]}}]"#, 4, 4),
            (r#"[{"SensorReadCmd":{"Id":5,"DeviceIndex":0,"SensorIndex":3,"SensorType":"Battery"}}]"#, 5, 4),
            (r#"[{"LinearCmd":{"Id":6,"DeviceIndex":0,"Vectors":[{"Index":0,"Duration":100,"Position":0.5}]}}]"#, 6, 4),
            (r#"[{"StopDeviceCmd":{"Id":7,"DeviceIndex":77}}]"#, 7, 4),
            (r#"[{"RequestServerInfo":{"Id":8,"ClientName":"again","MessageVersion":3}}]"#, 8, 1),
        ];
        for (input, id, code) in table {
            assert_error(&client.request(input).await, id, code);
        }
        assert!(server.vibrator.state().history.is_empty());
        assert_eq!(client.request(r#"[{"RequestDeviceList":{"Id":9}}]"#).await[0]["DeviceList"]["Id"], 9);
    })
    .await;
}

#[tokio::test]
async fn errors_in_a_batch_do_not_stop_the_rest_of_it() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        let reply = client
            .request(concat!(
                r#"[{"Nonsense":{"Id":2}},"#,
                r#"{"OutputCmd":{"Id":3,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":4}}}}]"#,
                r#" [{"StopCmd":{"Id":4,"DeviceIndex":9}}]"#
            ))
            .await;
        assert_eq!(reply.as_array().map(Vec::len), Some(3), "{reply}");
        assert_error(&json!([reply[0]]), 2, 3);
        assert_eq!(reply[1], json!({"Ok": {"Id": 3}}));
        assert_error(&json!([reply[2]]), 4, 4);
        assert_eq!(server.vibrator.state().output(0, OutputType::Vibrate), 4);
    })
    .await;
}

#[tokio::test]
async fn requests_before_a_broken_tail_are_still_answered() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        let vibrate = r#"[{"OutputCmd":{"Id":5,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":2}}}}]"#;
        let reply = client.request(&format!(r#"{vibrate} [{{"Ping":{{"Id":6}}"#)).await;
        assert_eq!(reply.as_array().map(Vec::len), Some(2), "{reply}");
        assert_eq!(reply[0], json!({"Ok": {"Id": 5}}));
        assert_error(&json!([reply[1]]), 6, 3);
        assert_eq!(server.vibrator.state().output(0, OutputType::Vibrate), 2);
        let reply = client.request(&format!(r#"{vibrate} {{"Ping":{{"Id":7}}}}"#)).await;
        assert_eq!(reply[0], json!({"Ok": {"Id": 5}}));
        assert_error(&json!([reply[1]]), 7, 3);
    })
    .await;
}

#[tokio::test]
async fn a_connection_over_the_limit_is_told_and_closed() {
    within(async {
        let server =
            TestServer::start_with(SessionConfig::default(), WebSocketOptions::default(), 1).await;
        let mut first = RawClient::connect(server.addr).await;
        first.handshake_v4().await;
        let mut second = RawClient::connect(server.addr).await;
        assert_error(&second.next_json().await, 0, 0);
        second.expect_close().await;
        // The first is unaffected.
        assert_eq!(
            first.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await[0]["DeviceList"]["Id"],
            2
        );
    })
    .await;
}

#[tokio::test]
async fn an_id_that_is_no_u32_is_answered_with_id_0() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        for input in [
            r#"[{"Ping":{"Id":1e400}}]"#,
            r#"[{"Ping":{"Id":1.5}}]"#,
            r#"[{"Ping":{"Id":-1}}]"#,
            r#"[{"Ping":{"Id":4294967296}}]"#,
        ] {
            assert_error(&client.request(input).await, 0, 3);
        }
    })
    .await;
}

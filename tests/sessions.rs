//! Sessions over real sockets: many at once, hardware safety when one ends, the ping
//! deadline, and requests in flight when the link is cut.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{RawClient, TestServer, assert_error, assert_ok, within};
use futures::StreamExt;
use plugwire::core::ConnectorError;
use plugwire::core::message::{ClientMessage, IdOnly, OutputType};
use plugwire::json::JsonSerializer;
use plugwire::server::SessionConfig;
use plugwire::websocket::{WebSocketDialer, WebSocketListener, WebSocketOptions};
use plugwire::{Client, Connector, RemoteConnector};

fn vibrate(id: u32, feature: u32, value: i32) -> String {
    format!(
        r#"[{{"OutputCmd":{{"Id":{id},"DeviceIndex":0,"FeatureIndex":{feature},"Command":{{"Vibrate":{{"Value":{value}}}}}}}}}]"#
    )
}

#[tokio::test]
async fn one_client_leaving_stops_only_what_it_drove() {
    within(async {
        let server = TestServer::start().await;
        let mut alice = RawClient::connect(server.addr).await;
        let mut bob = RawClient::connect(server.addr).await;
        alice.handshake_v4().await;
        bob.handshake_v4().await;
        assert_ok(&alice.request(&vibrate(2, 0, 7)).await, 2);
        assert_ok(&bob.request(&vibrate(2, 1, 9)).await, 2);
        let rotate = r#"[{"OutputCmd":{"Id":3,"DeviceIndex":2,"FeatureIndex":0,"Command":{"Rotate":{"Value":5}}}}]"#;
        assert_ok(&alice.request(rotate).await, 3);

        // Alice's connection drops without a goodbye.
        drop(alice);
        let state = server.vibrator.wait_until(|s| s.output(0, OutputType::Vibrate) == 0).await;
        assert_eq!(state.output(1, OutputType::Vibrate), 9, "Bob's vibrator must keep going");
        server.rotator.wait_until(|s| s.output(0, OutputType::Rotate) == 0).await;
        // Bob is still served and his output still runs.
        assert_eq!(bob.request(r#"[{"RequestDeviceList":{"Id":4}}]"#).await[0]["DeviceList"]["Id"], 4);
        assert_eq!(server.vibrator.state().output(1, OutputType::Vibrate), 9);

        // Bob says goodbye properly: his output stops too.
        assert_ok(&bob.request(r#"[{"Disconnect":{"Id":5}}]"#).await, 5);
        server.vibrator.wait_until(|s| s.output(1, OutputType::Vibrate) == 0).await;
    })
    .await;
}

#[tokio::test]
async fn an_output_taken_over_by_another_client_survives_the_first_leaving() {
    within(async {
        let server = TestServer::start().await;
        let mut alice = RawClient::connect(server.addr).await;
        let mut bob = RawClient::connect(server.addr).await;
        alice.handshake_v4().await;
        bob.handshake_v4().await;
        assert_ok(&alice.request(&vibrate(2, 0, 3)).await, 2);
        assert_ok(&bob.request(&vibrate(2, 0, 12)).await, 2);
        assert_ok(&alice.request(&vibrate(3, 1, 4)).await, 3);
        drop(alice);
        let state = server
            .vibrator
            .wait_until(|s| s.output(1, OutputType::Vibrate) == 0)
            .await;
        assert_eq!(state.output(0, OutputType::Vibrate), 12);
    })
    .await;
}

#[tokio::test]
async fn a_silent_client_is_stopped_and_told_when_the_ping_deadline_passes() {
    within(async {
        let config = SessionConfig {
            max_ping_time: Duration::from_millis(300),
            ..SessionConfig::default()
        };
        let server = TestServer::start_with(config, WebSocketOptions::default(), 64).await;
        let mut silent = RawClient::connect(server.addr).await;
        assert_eq!(
            silent.handshake_v4().await[0]["ServerInfo"]["MaxPingTime"],
            300
        );
        assert_ok(&silent.request(&vibrate(2, 0, 15)).await, 2);
        assert_ok(&silent.request(&vibrate(3, 1, 6)).await, 3);

        // The client hears nothing but the deadline error, then the close.
        assert_error(&silent.next_json().await, 0, 2);
        silent.expect_close().await;
        // And everything it drove has stopped.
        server.vibrator.wait_until(|s| s.is_idle()).await;
    })
    .await;
}

#[tokio::test]
async fn the_client_pings_by_itself_and_keeps_its_session() {
    within(async {
        let config = SessionConfig {
            max_ping_time: Duration::from_millis(300),
            ..SessionConfig::default()
        };
        let server = TestServer::start_with(config, WebSocketOptions::default(), 64).await;
        let mut raw = RawClient::connect(server.addr).await;
        raw.handshake_v4().await;
        let dialer = WebSocketDialer::new(&server.url(), WebSocketOptions::default()).expect("url");
        let client = Client::connect("pinging", RemoteConnector::new(dialer, JsonSerializer))
            .await
            .expect("connect");
        client
            .device(0)
            .expect("vibrator")
            .vibrate(0.5)
            .await
            .expect("vibrate");
        // The raw client does not ping: by the time the server tells it so, more than one
        // deadline has passed, and the library client must still be connected and driving.
        assert_error(&raw.next_json().await, 0, 2);
        assert!(client.is_connected());
        client
            .device(0)
            .expect("vibrator")
            .vibrate(1.0)
            .await
            .expect("still connected");
        assert_eq!(server.vibrator.state().output(0, OutputType::Vibrate), 20);
    })
    .await;
}

#[tokio::test]
async fn requests_in_flight_fail_at_once_when_the_link_is_cut() {
    within(async {
        // A peer that accepts and reads but never answers, then vanishes.
        let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
            .await
            .expect("bind");
        let url = format!("ws://{}", listener.local_addr());
        let (received_tx, mut received_rx) = tokio::sync::mpsc::unbounded_channel();
        let (cut_tx, cut_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let mut cut_rx = cut_rx;
            let mut transport = listener
                .accept_connection()
                .await
                .expect("accept")
                .upgrade()
                .await
                .expect("upgrade");
            loop {
                tokio::select! {
                    frame = transport.next() => match frame {
                        Some(Ok(frame)) => { let _ = received_tx.send(frame); }
                        _ => return,
                    },
                    _ = &mut cut_rx => return, // dropping the transport cuts the link
                }
            }
        });
        let dialer = WebSocketDialer::new(&url, WebSocketOptions::default()).expect("url");
        let connector = RemoteConnector::new(dialer, JsonSerializer);
        let connection = connector.connect().await.expect("connect");
        let requests = connection.requests.clone();
        let in_flight: Vec<_> = (0..3)
            .map(|_| {
                let requests = requests.clone();
                tokio::spawn(async move {
                    requests
                        .request(ClientMessage::Ping(IdOnly { id: 0 }))
                        .await
                })
            })
            .collect();
        for _ in 0..3 {
            received_rx.recv().await.expect("the peer saw each request");
        }
        drop(cut_tx);
        for request in in_flight {
            let result = request.await.expect("task");
            assert!(
                matches!(result, Err(ConnectorError::Disconnected(_))),
                "got {result:?}"
            );
        }
        // And later requests fail at once too.
        let late = requests
            .request(ClientMessage::Ping(IdOnly { id: 0 }))
            .await;
        assert!(late.is_err());
    })
    .await;
}

#[tokio::test]
async fn many_clients_at_once_on_one_server() {
    within(async {
        let server = Arc::new(TestServer::start().await);
        let clients = (0..8).map(|n| {
            let url = server.url();
            tokio::spawn(async move {
                let dialer = WebSocketDialer::new(&url, WebSocketOptions::default()).expect("url");
                let client = Client::connect(
                    &format!("client {n}"),
                    RemoteConnector::new(dialer, JsonSerializer),
                )
                .await
                .expect("connect");
                assert_eq!(client.devices().len(), 3);
                let battery = client
                    .device(0)
                    .expect("vibrator")
                    .battery()
                    .await
                    .expect("battery");
                assert_eq!(battery, 87);
                client.disconnect().await.expect("disconnect");
            })
        });
        for client in clients {
            client.await.expect("client task");
        }
    })
    .await;
}

#[tokio::test]
async fn a_slow_device_read_holds_up_neither_pings_nor_the_ping_deadline() {
    within(async {
        let config = SessionConfig {
            max_ping_time: Duration::from_millis(600),
            ..SessionConfig::default()
        };
        let server = TestServer::start_with(config, WebSocketOptions::default(), 8).await;
        // The battery answers after two seconds: well past the ping deadline.
        server.vibrator.set_read_latency(Duration::from_secs(2));
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        let read = r#"[{"InputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":2,"Type":"Battery","Command":"Read"}}]"#;
        client.send_text(read).await;
        // While the read is outstanding the client keeps pinging; every Ping is answered at
        // once and the deadline, met each time, never closes the session. The reading arrives
        // in between, answering its own request.
        let mut interval = tokio::time::interval(Duration::from_millis(150));
        let started = tokio::time::Instant::now();
        let mut reading = None;
        let mut id = 3;
        while reading.is_none() {
            interval.tick().await;
            client
                .send_text(&format!(r#"[{{"Ping":{{"Id":{id}}}}}]"#))
                .await;
            let mut reply = client.next_json().await;
            if reply[0].get("InputReading").is_some() {
                reading = Some((reply, started.elapsed()));
                reply = client.next_json().await;
            }
            assert_ok(&reply, id);
            id += 1;
        }
        let (reading, after) = reading.expect("the reading");
        assert!(after >= Duration::from_secs(2), "{after:?}");
        assert_eq!(reading[0]["InputReading"]["Id"], 2, "{reading}");
        assert_eq!(
            reading[0]["InputReading"]["Reading"]["Battery"]["Value"], 87,
            "{reading}"
        );
        // More than a deadline's worth of pings went by while the device was busy.
        assert!(id > 10, "{id}");
    })
    .await;
}

//! A command whose bytes never reach the device is answered with the device Error (code 4)
//! and its own Id, over a real socket: the session does not answer Ok for a write that failed.

#![cfg(all(feature = "websocket", feature = "json"))]

mod common;

use std::sync::Arc;

use common::{RawClient, assert_error, assert_ok, within};
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::recording::RecordingHardware;
use plugwire::devices::{DeviceManager, attach};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};

const VIBRATE: &str = r#"[{"OutputCmd":{"Id":ID,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":5}}}}]"#;

#[tokio::test]
async fn a_failed_write_is_answered_with_the_device_error() {
    within(async {
        let devices = Arc::new(DeviceManager::new());
        let hardware = Arc::new(RecordingHardware::new("LVS-Z36"));
        hardware.reply_to(b"DeviceType;", b"Z:11:0082059AD3BD;");
        let index = attach(
            &devices,
            &DeviceConfig::builtin(),
            "lovense",
            hardware.clone(),
        )
        .await
        .expect("attach");
        assert_eq!(index, 0);
        let server = Server::new(ServerConfig::default(), devices);
        let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
            .await
            .expect("bind loopback");
        let addr = listener.local_addr();
        tokio::spawn(async move { server.listen(listener, JsonSerializer).await });

        let mut client = RawClient::connect(addr).await;
        client.handshake_v4().await;
        assert_ok(&client.request(&VIBRATE.replace("ID", "7")).await, 7);
        assert_eq!(
            hardware.written().last().map(Vec::as_slice),
            Some(&b"Vibrate:5;"[..])
        );

        hardware.fail_writes(true);
        let reply = client
            .request(&VIBRATE.replace("ID", "8").replace("5}", "9}"))
            .await;
        assert_error(&reply, 8, 4);

        // The link comes back: commands are answered Ok again.
        hardware.fail_writes(false);
        assert_ok(&client.request(&VIBRATE.replace("ID", "9")).await, 9);
    })
    .await;
}

//! Interoperability with a published Buttplug client: the `buttplug` crate's Rust client
//! drives the real `plugwire serve` binary over WebSocket.

mod common;
#[path = "common/serve_process.rs"]
mod serve_process;

use buttplug::ButtplugWebsocketClientTransport;
use buttplug::connector::ButtplugRemoteClientConnector;
use buttplug::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug::serializer::ButtplugClientJSONSerializer;
use buttplug::{ButtplugClient, ButtplugClientEvent};
use common::within;
use futures::StreamExt;
use serve_process::ServeProcess;

#[tokio::test]
async fn the_published_rust_client_lists_vibrates_stops_and_disconnects() {
    let serve = ServeProcess::start(&[]);
    within(async {
        let connector = ButtplugRemoteClientConnector::<_, ButtplugClientJSONSerializer>::new(
            ButtplugWebsocketClientTransport::new_insecure_connector(&serve.url),
        );
        let client = ButtplugClient::new("buttplug-rs interop");
        let mut events = client.event_stream();
        client
            .connect(connector)
            .await
            .expect("handshake with plugwire");
        assert_eq!(client.server_name().as_deref(), Some("plugwire"));
        // The client files the device list it asked for during the handshake asynchronously.
        let mut added = 0;
        while added < 3 {
            match events.next().await.expect("client event stream") {
                ButtplugClientEvent::DeviceAdded(_) => added += 1,
                ButtplugClientEvent::DeviceListReceived | ButtplugClientEvent::ServerConnect => {}
                other => panic!("unexpected event {other:?}"),
            }
        }

        let devices = client.devices();
        let names: Vec<_> = devices.values().map(|d| d.name().clone()).collect();
        assert_eq!(
            names,
            [
                "plugwire Simulated Vibrator",
                "plugwire Simulated Stroker",
                "plugwire Simulated Rotator"
            ]
        );
        let vibrator = devices.values().next().expect("a vibrator").clone();
        vibrator
            .run_output(&ClientDeviceOutputCommand::Vibrate(
                ClientDeviceCommandValue::Percent(0.5),
            ))
            .await
            .expect("vibrate");
        assert_eq!(vibrator.battery().await.expect("battery"), 87);
        client.start_scanning().await.expect("scan");
        client.stop_scanning().await.expect("stop scanning");
        vibrator.stop().await.expect("stop device");
        client.stop_all_devices().await.expect("stop all");
        client
            .ping()
            .await
            .expect_err("ping is off by default, and says so");
        client.disconnect().await.expect("disconnect");
    })
    .await;
    let status = serve.interrupt();
    assert!(
        status.success(),
        "plugwire serve exits cleanly on Ctrl-C: {status}"
    );
}

//! A TCode stroker on a serial port, end to end: a pseudo-terminal pair stands in for the
//! port, `plugwire serve --use-serial` opens it by the path a user configuration names,
//! `plugwire vibrate` and the published Buttplug Rust client drive it over WebSocket, and the
//! test, on the device side, reads the exact TCode lines. Closing the device side removes the
//! device, and the client is told.

#![cfg(all(
    unix,
    feature = "serial",
    feature = "cli",
    feature = "websocket",
    feature = "json"
))]

mod common;
#[path = "common/serve_process.rs"]
mod serve_process;

use std::process::Command;

use buttplug::ButtplugWebsocketClientTransport;
use buttplug::connector::ButtplugRemoteClientConnector;
use buttplug::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug::serializer::ButtplugClientJSONSerializer;
use buttplug::{ButtplugClient, ButtplugClientEvent};
use common::within;
use futures::StreamExt;
use plugwire_test_support::pty::{open_pair, read_line, tcode_user_config};
use serve_process::ServeProcess;

/// The model name of the user configuration in docs/serial.md.
const NAME: &str = "OSR2";

#[tokio::test]
async fn a_tcode_stroker_on_a_pty_is_driven_by_the_cli_and_a_published_client() {
    // The configuration names a link that the port appears at once the server runs: a pty
    // made before would be inherited by the server process and outlive the test's end of it.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let link = dir.path().join("ttyOSR2");
    let config = dir.path().join("user-device-config.json");
    // The user configuration of docs/serial.md, for the port at the link.
    std::fs::write(&config, tcode_user_config(&link.to_string_lossy(), NAME))
        .expect("write the user configuration");
    let config = config.to_string_lossy().into_owned();
    let serve = ServeProcess::start(&[
        "--no-simulated-devices",
        "--use-serial",
        "--user-device-config-file",
        &config,
    ]);
    let (device, path) = open_pair();
    std::os::unix::fs::symlink(&path, &link).expect("a link to the port");

    within(async {
        // The published client scans (the server tries configured ports at once) and sees the
        // stroker.
        let client = ButtplugClient::new("serial interop");
        let mut events = client.event_stream();
        client
            .connect(ButtplugRemoteClientConnector::<
                _,
                ButtplugClientJSONSerializer,
            >::new(
                ButtplugWebsocketClientTransport::new_insecure_connector(&serve.url),
            ))
            .await
            .expect("handshake with plugwire");
        client.start_scanning().await.expect("scan");
        let stroker = loop {
            if let Some(device) = client.devices().values().next() {
                break device.clone();
            }
            match events.next().await.expect("client events") {
                ButtplugClientEvent::DeviceAdded(device) => break device,
                _ => continue,
            }
        };
        assert_eq!(stroker.name(), NAME);

        // `plugwire vibrate`: the vibration channel runs, then stops when the command ends.
        let url = serve.url.clone();
        let cli = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_plugwire"))
                .args(["vibrate", "--connect", &url, "--device", "0"])
                .args(["--value", "0.5", "--for", "100ms", "--log", "warn"])
                .output()
                .expect("run plugwire vibrate")
        });
        let (device, line) = read_line(device).await;
        assert_eq!(line, "V150\n");
        let (device, line) = read_line(device).await;
        assert_eq!(line, "V100\n");
        let output = cli.await.expect("the CLI thread");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );

        // A linear move from the published client.
        stroker
            .run_output(&ClientDeviceOutputCommand::HwPositionWithDuration(
                ClientDeviceCommandValue::Percent(1.0),
                500,
            ))
            .await
            .expect("move");
        let (device, line) = read_line(device).await;
        assert_eq!(line, "L0999I500\n");

        // The port vanishes: the device is removed and the client is told.
        drop(device);
        loop {
            if let ButtplugClientEvent::DeviceRemoved(removed) =
                events.next().await.expect("client events")
            {
                assert_eq!(removed.name(), NAME);
                break;
            }
        }
        client.disconnect().await.expect("disconnect");
    })
    .await;
    let status = serve.interrupt();
    assert!(status.success(), "plugwire serve exits cleanly: {status}");
}

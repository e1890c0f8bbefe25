//! Reversed roles: the Buttplug *client* listens, and the *server* (which owns the devices,
//! like a device forwarder on another machine) dials in.
//!
//! `cargo run --example device_forwarder` runs the client side: it listens on a free
//! WebSocket port, then starts itself again as the server process
//! (`device_forwarder server ws://127.0.0.1:PORT`), which dials the client. The client then
//! drives the server's devices as usual. Any transport works the same way (`ipc://`,
//! `quic://...?fingerprint=`).

use std::sync::Arc;
use std::time::Duration;

use plugwire::Client;
use plugwire::connect::ConnectionUrl;
use plugwire::connect::{self, AnyDialer, ConnectOptions, Detect};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::{Server, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, role, url] = args.as_slice()
        && role == "server"
    {
        return server(url).await;
    }

    // The client process: listen first, then let the server dial in.
    let options = ConnectOptions::default();
    let (connector, listening) = connect::listen(&"ws://127.0.0.1:0".parse()?, &options).await?;
    println!("client: waiting on {listening}");
    let mut forwarder = tokio::process::Command::new(std::env::current_exe()?)
        .args(["server", &listening])
        .kill_on_drop(true)
        .spawn()?;
    let client = Client::connect("forwarder client", connector).await?;
    for device in client.devices() {
        println!(
            "client: the forwarder offers device {}: {}",
            device.index(),
            device.name()
        );
    }
    let stroker = client.device(1)?;
    stroker.move_to(0.9, 400).await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    stroker.move_to(0.1, 400).await?;
    client.device(0)?.vibrate(0.25).await?;
    client.stop_all().await?;
    client.disconnect().await?;
    forwarder.kill().await?;
    Ok(())
}

/// The forwarder: owns devices and dials the client.
async fn server(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let devices = Arc::new(DeviceManager::new());
    SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let stroker = SimulatedDevice::add_to(&devices, SimulatedKind::Stroker);
    let server = Server::new(ServerConfig::default(), devices);
    let url: ConnectionUrl = url.parse()?;
    let dialer = AnyDialer::new(&url, &ConnectOptions::default())?;
    println!("server: dialling {url}");
    tokio::spawn(async move {
        let state = stroker.wait_until(|s| s.history.len() >= 2).await;
        println!("server: the stroker was told {:?}", state.history);
    });
    // Serve until the client side ends this process.
    server
        .dial(
            dialer,
            Detect {
                only: url.serializer,
            },
        )
        .await;
    Ok(())
}

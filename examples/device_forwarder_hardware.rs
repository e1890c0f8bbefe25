//! A forwarded device driven by a normal client through the server.
//!
//! Three parties, over real sockets: the main server (no devices of its own) accepts device
//! forwarders on a local socket and clients on WebSocket; a forwarder process owns a
//! simulated vibrator and dials the main server (`device_forwarder_hardware forwarder URL`,
//! started here as a child process); an app connects to the main server and drives the
//! forwarded vibrator as if it were local.
//!
//! `cargo run --example device_forwarder_hardware`

use std::sync::Arc;
use std::time::Duration;

use plugwire::connect::{self, AnyDialer, AnyListener, ConnectOptions, Detect};
use plugwire::core::Listener as _;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::{Client, ClientEvent, Server, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, role, url] = args.as_slice()
        && role == "forwarder"
    {
        return forwarder(url).await;
    }
    let options = ConnectOptions::default();
    let dir = std::env::temp_dir().join(format!("plugwire-forwarding-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // The main server.
    let devices = Arc::new(DeviceManager::new());
    let server = Server::new(ServerConfig::default(), devices.clone());
    let clients = AnyListener::bind(&"ws://127.0.0.1:0".parse()?, &options).await?;
    let client_url = clients.describe();
    let forwarders = AnyListener::bind(
        &format!("ipc://{}/forwarders.sock", dir.display()).parse()?,
        &options,
    )
    .await?;
    let forwarder_url = forwarders.describe();
    println!("main server: clients on {client_url}, forwarders on {forwarder_url}");
    let serving = server.clone();
    tokio::spawn(async move { serving.listen(clients, Detect::default()).await });
    tokio::spawn(plugwire::forward::accept_forwarders(
        devices,
        forwarders,
        Detect::default(),
        server.shutdown_token(),
    ));

    // The app.
    let client = Client::connect("app", connect::dial_url(&client_url)?).await?;
    let mut events = client.events();
    let mut forwarder = tokio::process::Command::new(std::env::current_exe()?)
        .args(["forwarder", &forwarder_url])
        .kill_on_drop(true)
        .spawn()?;
    let info = loop {
        if let ClientEvent::DeviceAdded(info) = events.recv().await? {
            break info;
        }
    };
    println!(
        "app: device {} ({}) appeared through the forwarder",
        info.device_index, info.device_name
    );
    let device = client.device(info.device_index)?;
    device.vibrate(0.75).await?;
    println!(
        "app: vibrating it at 0.75; its battery reads {}%",
        device.battery().await?
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.disconnect().await?;
    println!("app: disconnected; the forwarder's vibrator stops with the session");
    tokio::time::sleep(Duration::from_millis(300)).await;
    forwarder.kill().await?;
    server.shutdown().await;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

/// The forwarder: a plugwire server owning a simulated vibrator, dialling the main server.
async fn forwarder(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = Server::new(ServerConfig::default(), devices);
    tokio::spawn(async move {
        let state = vibrator.wait_until(|s| !s.history.is_empty()).await;
        println!("forwarder: my vibrator was told {:?}", state.history);
        vibrator
            .wait_until(|s| s.is_idle() && s.history.last().is_some_and(|(_, c)| c.value() == 0))
            .await;
        println!("forwarder: my vibrator stopped");
    });
    let dialer = AnyDialer::new(&url.parse()?, &ConnectOptions::default())?;
    server.dial(dialer, Detect::default()).await;
    Ok(())
}

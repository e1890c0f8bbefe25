//! Same-machine IPC: a server and a client in two processes over a local socket file.
//!
//! `cargo run --example same_machine_ipc` starts the server, then runs itself again as the
//! client process (`same_machine_ipc client ipc:///path`), which lists the devices, vibrates
//! one, and stops it. The socket file is created with mode 0600: only this user can connect.

use std::sync::Arc;
use std::time::Duration;

use plugwire::Client;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::ipc::{IpcListener, IpcName, IpcOptions};
use plugwire::json::JsonSerializer;
use plugwire::{Server, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, role, url] = args.as_slice()
        && role == "client"
    {
        return client(url).await;
    }

    // The server process.
    let dir = tempfile_dir()?;
    let path = dir.join("plugwire.sock");
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = Server::new(ServerConfig::default(), devices);
    let listener = IpcListener::bind(IpcName::Path(path.clone()), IpcOptions::default()).await?;
    let url = format!("ipc://{}", path.display());
    println!("server: listening on {url}");
    let serving = server.clone();
    tokio::spawn(async move { serving.listen(listener, JsonSerializer).await });

    let status = tokio::process::Command::new(std::env::current_exe()?)
        .args(["client", &url])
        .status()
        .await?;
    println!(
        "server: client process exited with {status}; vibrator idle = {}",
        vibrator.state().is_idle()
    );
    server.shutdown().await;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

async fn client(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect("same-machine client", plugwire::connect::dial_url(url)?).await?;
    for device in client.devices() {
        println!("client: device {}: {}", device.index(), device.name());
    }
    let device = client.device(0)?;
    device.vibrate(0.4).await?;
    println!("client: vibrating; battery {}%", device.battery().await?);
    tokio::time::sleep(Duration::from_millis(300)).await;
    device.stop().await?;
    client.disconnect().await?;
    Ok(())
}

/// A private directory for the socket file.
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("plugwire-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

//! A client on one host and a server on another, over QUIC with a pinned certificate.
//!
//! Server host: `cargo run --example remote_quic server 0.0.0.0:4433` generates a certificate
//! on first use (kept in ~/.local/share/plugwire), and prints the URL to give the client,
//! fingerprint included. Client host: `cargo run --example remote_quic client 'quic://HOST:4433?fingerprint=sha256:...'`.
//! With no arguments both run here, on loopback, in two processes.

use std::sync::Arc;

use plugwire::Client;
use plugwire::connect::{self, AnyListener, ConnectOptions, Detect};
use plugwire::core::Listener as _;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::{Server, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, role, address] if role == "server" => server(address, None).await,
        [_, role, url] if role == "client" => client(url).await,
        [_] => {
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            let serving = tokio::spawn(async move {
                server("127.0.0.1:0", Some(ready_tx))
                    .await
                    .map_err(|e| e.to_string())
            });
            let url = ready_rx.await?;
            let status = tokio::process::Command::new(std::env::current_exe()?)
                .args(["client", &url])
                .status()
                .await?;
            println!("client process exited with {status}");
            serving.abort();
            Ok(())
        }
        _ => Err("usage: remote_quic [server ADDRESS | client URL]".into()),
    }
}

async fn server(
    address: &str,
    ready: Option<tokio::sync::oneshot::Sender<String>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let devices = Arc::new(DeviceManager::new());
    SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = Server::new(ServerConfig::default(), devices);
    let options = ConnectOptions {
        data_dir: Some(std::env::temp_dir().join("plugwire-remote-quic-example")),
        ..ConnectOptions::default()
    };
    let listener = AnyListener::bind(&format!("quic://{address}").parse()?, &options).await?;
    let url = listener.describe();
    println!("server: give the client this URL: {url}");
    if let Some(ready) = ready {
        let _ = ready.send(url);
    }
    server.listen(listener, Detect::default()).await;
    Ok(())
}

async fn client(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect("remote client", connect::dial_url(url)?).await?;
    let device = client.device(0)?;
    println!(
        "client: connected over QUIC; {} reports battery {}%",
        device.name(),
        device.battery().await?
    );
    device.vibrate(0.5).await?;
    device.stop().await?;
    client.disconnect().await?;
    Ok(())
}

//! A client for a running `plugwire serve` (or Intiface engine): lists devices, vibrates each
//! vibrator for a second, stops.
//!
//! Run the server with `cargo run --release -- serve`, then
//! `cargo run --example websocket_client [ws://127.0.0.1:12345]`.

use std::time::Duration;

use plugwire::core::message::OutputType;
use plugwire::json::JsonSerializer;
use plugwire::websocket::{WebSocketDialer, WebSocketOptions};
use plugwire::{Client, RemoteConnector};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:12345".to_owned());
    let dialer = WebSocketDialer::new(&url, WebSocketOptions::default())?;
    let client = Client::connect(
        "plugwire example",
        RemoteConnector::new(dialer, JsonSerializer),
    )
    .await?;
    client.start_scanning().await?;
    for device in client.devices() {
        println!("device {}: {}", device.index(), device.name());
        if device.outputs(OutputType::Vibrate).next().is_some() {
            device.vibrate(0.5).await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            device.stop().await?;
        }
    }
    client.disconnect().await?;
    Ok(())
}

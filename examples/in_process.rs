//! Client and server in one process, with no transport and no serialization: the quickest way
//! to drive simulated (or real) devices from Rust code.
//!
//! Run with `cargo run --example in_process`.

use std::sync::Arc;
use std::time::Duration;

use plugwire::core::message::OutputType;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::{Client, InProcessConnector, Server, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let devices = Arc::new(DeviceManager::new());
    let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    let server = Server::new(ServerConfig::default(), devices);

    let client = Client::connect(
        "in-process example",
        InProcessConnector::new(server.clone()),
    )
    .await?;
    for device in client.devices() {
        println!("device {}: {}", device.index(), device.name());
    }
    let device = client.device(0)?;
    device.vibrate(0.5).await?;
    println!(
        "vibrator outputs now {} and {}; battery {}%",
        vibrator.state().output(0, OutputType::Vibrate),
        vibrator.state().output(1, OutputType::Vibrate),
        device.battery().await?
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    client.disconnect().await?;
    // The session ended, so what it drove has stopped.
    println!("after disconnect: idle = {}", vibrator.state().is_idle());
    server.shutdown().await;
    Ok(())
}

//! Client commands for scripts and smoke checks: `devices`, `vibrate`, `stop`.

use std::time::Duration;

use clap::Args;
use plugwire::client::{Client, ClientEvent};
use plugwire::connect::{self, ConnectOptions, ConnectionUrl};
use plugwire::core::message::{OutputType, Range};

use super::error::AnyError;

/// How a client command reaches the server.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub(crate) struct PeerArgs {
    /// Dial the server at this URL (ws://, ipc://, quic://...?fingerprint=...).
    #[arg(long)]
    connect: Option<ConnectionUrl>,
    /// Listen at this URL and wait for the server to dial in (reversed roles).
    #[arg(long)]
    listen: Option<ConnectionUrl>,
}

/// Connects as a client, dialling or (with `--listen`) waiting for the server to dial in.
async fn connect(peer: PeerArgs, name: &str) -> Result<Client, AnyError> {
    let options = ConnectOptions::default();
    let connector = match (peer.connect, peer.listen) {
        (Some(url), None) => connect::dial(&url, &options)?,
        (None, Some(url)) => {
            let (connector, description) = connect::listen(&url, &options).await?;
            println!("plugwire waiting on {description}");
            connector
        }
        _ => return Err("give exactly one of --connect or --listen".into()),
    };
    Ok(Client::connect(name, connector).await?)
}

pub(super) async fn devices(peer: PeerArgs, scan: Duration) -> Result<(), AnyError> {
    let client = connect(peer, "plugwire devices").await?;
    let mut events = client.events();
    client.start_scanning().await?;
    let _ = tokio::time::timeout(scan, async {
        while let Ok(event) = events.recv().await {
            if event == ClientEvent::ScanningFinished {
                break;
            }
        }
    })
    .await;
    let _ = client.stop_scanning().await;
    for device in client.devices() {
        let mut features = Vec::new();
        for feature in device.info().device_features.values() {
            for (output, limits) in &feature.output {
                features.push(format!("{output:?} {}", range(limits.value)));
            }
            for input in feature.input.keys() {
                features.push(format!("{input:?} input"));
            }
        }
        println!(
            "{}: {} [{}]",
            device.index(),
            device.name(),
            features.join(", ")
        );
    }
    client.disconnect().await?;
    Ok(())
}

fn range(range: Range) -> String {
    format!("{}..{}", range.min, range.max)
}

pub(super) async fn vibrate(
    peer: PeerArgs,
    index: u32,
    value: f64,
    duration: Duration,
) -> Result<(), AnyError> {
    let client = connect(peer, "plugwire vibrate").await?;
    let device = client.device(index)?;
    if device.outputs(OutputType::Vibrate).next().is_none() {
        return Err(format!("device {index} ({}) cannot vibrate", device.name()).into());
    }
    device.vibrate(value).await?;
    println!(
        "vibrating device {index} ({}) at {value} for {duration:?}",
        device.name()
    );
    tokio::time::sleep(duration).await;
    device.stop().await?;
    client.disconnect().await?;
    Ok(())
}

pub(super) async fn stop(peer: PeerArgs) -> Result<(), AnyError> {
    let client = connect(peer, "plugwire stop").await?;
    client.stop_all().await?;
    println!("stopped every device");
    client.disconnect().await?;
    Ok(())
}

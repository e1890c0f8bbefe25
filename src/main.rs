//! `plugwire`: the command-line server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use plugwire::device::DeviceManager;
use plugwire::device::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig, SessionConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};
use tracing::{error, info};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "plugwire",
    version,
    about = "Buttplug protocol server over any transport"
)]
struct Cli {
    /// Log filter (e.g. `info`, `plugwire=debug`); overrides RUST_LOG.
    #[arg(long, global = true)]
    log: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a Buttplug server.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// WebSocket port to listen on.
    #[arg(long, default_value_t = 12345)]
    websocket_port: u16,
    /// Listen on every interface instead of loopback only.
    #[arg(long)]
    websocket_use_all_interfaces: bool,
    /// Address to listen on (overrides --websocket-use-all-interfaces).
    #[arg(long)]
    websocket_listen_address: Option<IpAddr>,
    /// Largest WebSocket message accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_message_size: usize,
    /// Server name sent to clients.
    #[arg(long, default_value = "plugwire")]
    server_name: String,
    /// Milliseconds a client may go without pinging before its devices stop; 0 turns it off.
    #[arg(long, default_value_t = 0)]
    max_ping_time: u32,
    /// Milliseconds a new connection may take to send its handshake; 0 waits forever.
    #[arg(long, default_value_t = 30_000)]
    handshake_timeout: u64,
    /// Most clients served at once.
    #[arg(long, default_value_t = 64)]
    max_connections: usize,
    /// Simulated devices to add (comma-separated: vibrator, stroker, rotator).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "vibrator,stroker,rotator"
    )]
    simulated_devices: Vec<SimulatedKind>,
    /// Add no simulated devices.
    #[arg(long, conflicts_with = "simulated_devices")]
    no_simulated_devices: bool,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = match &cli.log {
        Some(filter) => EnvFilter::try_new(filter),
        None => EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new("info")),
    };
    let filter = match filter {
        Ok(filter) => filter,
        Err(error) => {
            eprintln!("bad log filter: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Logs go to stderr so stdout carries only the listening lines scripts read.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            error!(%error, "could not start the async runtime");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            error!("{error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    let devices = Arc::new(DeviceManager::new());
    if !args.no_simulated_devices {
        for kind in &args.simulated_devices {
            SimulatedDevice::add_to(&devices, *kind);
        }
    }
    let config = ServerConfig {
        session: SessionConfig {
            server_name: args.server_name.clone(),
            max_ping_time: Duration::from_millis(u64::from(args.max_ping_time)),
            handshake_timeout: Duration::from_millis(args.handshake_timeout),
            ..SessionConfig::default()
        },
        max_connections: args.max_connections,
    };
    let server = Server::new(config, devices);

    let ip = args
        .websocket_listen_address
        .unwrap_or(if args.websocket_use_all_interfaces {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        });
    let options = WebSocketOptions {
        max_message_size: args.max_message_size,
        ..WebSocketOptions::default()
    };
    let listener =
        WebSocketListener::bind(SocketAddr::new(ip, args.websocket_port), options).await?;
    // Scripts and people both read this line to find the server.
    println!("plugwire listening on ws://{}", listener.local_addr());
    let accept = tokio::spawn({
        let server = server.clone();
        async move { server.listen(listener, Arc::new(JsonSerializer)).await }
    });

    shutdown_signal().await?;
    info!("stopping every device and closing sessions");
    server.shutdown().await;
    let _ = accept.await;
    info!("stopped");
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM (what service managers send).
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

//! `plugwire`: the command-line server, and client commands for scripts and smoke checks.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use plugwire::client::{Client, ClientEvent};
use plugwire::core::message::{OutputType, Range};
use plugwire::device::DeviceManager;
use plugwire::device::ble::{BleManager, BleOptions};
use plugwire::device::config::DeviceConfig;
use plugwire::device::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::endpoint::{self, AnyDialer, AnyListener, EndpointOptions};
use plugwire::server::{Server, ServerConfig, SessionConfig};
use plugwire::url::{ConnectionUrl, Endpoint, Format};
use tracing::{error, info, warn};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "plugwire",
    version,
    about = "Buttplug protocol server and client over any transport"
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
    Serve(Box<ServeArgs>),
    /// Connect, scan briefly, print the device list.
    Devices {
        #[command(flatten)]
        peer: PeerArgs,
        /// How long to scan before printing.
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        scan: Duration,
    },
    /// Vibrate one device, then stop it.
    Vibrate {
        #[command(flatten)]
        peer: PeerArgs,
        /// Device index (see `plugwire devices`).
        #[arg(long)]
        device: u32,
        /// Strength, 0.0 to 1.0.
        #[arg(long)]
        value: f64,
        /// How long to vibrate before stopping.
        #[arg(long = "for", default_value = "1s", value_parser = parse_duration)]
        duration: Duration,
    },
    /// Stop every device.
    Stop {
        #[command(flatten)]
        peer: PeerArgs,
    },
}

/// How a client command reaches the server.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct PeerArgs {
    /// Dial the server at this URL (ws://, ipc://, quic://...?fingerprint=...).
    #[arg(long)]
    connect: Option<ConnectionUrl>,
    /// Listen at this URL and wait for the server to dial in (reversed roles).
    #[arg(long)]
    listen: Option<ConnectionUrl>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// WebSocket port to listen on [default: 12345, unless the server dials out instead].
    #[arg(long)]
    websocket_port: Option<u16>,
    /// Listen on every interface instead of loopback only (WebSocket).
    #[arg(long)]
    websocket_use_all_interfaces: bool,
    /// Address to listen on for WebSocket (overrides --websocket-use-all-interfaces).
    #[arg(long)]
    websocket_listen_address: Option<IpAddr>,
    /// Also listen on a local socket: a name (Linux abstract socket, Windows pipe) or an
    /// absolute path (socket file, mode 0600).
    #[arg(long, value_name = "NAME_OR_PATH")]
    ipc: Vec<String>,
    /// Also listen on QUIC on this UDP port.
    #[arg(long)]
    quic_port: Option<u16>,
    /// Address to listen on for QUIC.
    #[arg(long, default_value = "127.0.0.1")]
    quic_listen_address: IpAddr,
    /// QUIC certificate (PEM); without it one is generated in --data-dir and kept.
    #[arg(long, requires = "quic_key")]
    quic_cert: Option<PathBuf>,
    /// QUIC private key (PEM).
    #[arg(long, requires = "quic_cert")]
    quic_key: Option<PathBuf>,
    /// Also listen on these connection URLs (`?format=json` or `?format=msgpack` restricts one).
    #[arg(long, value_name = "URL")]
    listen: Vec<ConnectionUrl>,
    /// Accept only this serializer on the --websocket-port, --ipc and --quic-port listeners
    /// [default: detect per connection].
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Dial out to a client waiting at this WebSocket URL instead of listening (reversed roles).
    #[arg(long, value_name = "URL")]
    websocket_client_address: Option<String>,
    /// Dial out to a client waiting at this URL, any transport (reversed roles).
    #[arg(long, value_name = "URL")]
    connect: Vec<ConnectionUrl>,
    /// Accept device forwarders (processes that own devices and dial in, e.g.
    /// `plugwire serve --connect URL`) at this URL; their devices join this server's.
    #[arg(long, value_name = "URL")]
    forwarders: Vec<ConnectionUrl>,
    /// Where generated certificates are kept [default: ~/.local/share/plugwire].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Largest message accepted, in bytes (every transport).
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
    /// Find Bluetooth LE devices (scanning when clients ask). Without Bluetooth the server
    /// says so once and serves everything else.
    #[arg(long)]
    use_bluetooth_le: bool,
    /// Device configuration to use instead of the shipped one (device-config v5 JSON).
    #[arg(long, value_name = "PATH")]
    device_config_file: Option<PathBuf>,
    /// User device configuration: adds names to match or overrides models.
    #[arg(long, value_name = "PATH")]
    user_device_config_file: Option<PathBuf>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    match text {
        "json" => Ok(Format::Json),
        "msgpack" => Ok(Format::Msgpack),
        other => Err(format!("unknown format {other:?} (json, msgpack)")),
    }
}

/// Parses `2s`, `500ms`, `1.5s`, `1m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| c.is_ascii_alphabetic())
        .map(|at| text.split_at(at))
        .unwrap_or((text, "s"));
    let number: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("bad duration {text:?}"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return Err(format!("bad duration unit in {text:?} (ms, s, m)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("bad duration {text:?}"))
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
    // Logs go to stderr so stdout carries only what scripts read.
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
            Command::Serve(args) => serve(*args).await,
            Command::Devices { peer, scan } => devices(peer, scan).await,
            Command::Vibrate {
                peer,
                device,
                value,
                duration,
            } => vibrate(peer, device, value, duration).await,
            Command::Stop { peer } => stop(peer).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("plugwire: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

async fn serve(args: ServeArgs) -> Result<(), AnyError> {
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
    let mut device_config = match &args.device_config_file {
        Some(path) => DeviceConfig::load(path)?,
        None => DeviceConfig::shipped(),
    };
    if let Some(path) = &args.user_device_config_file {
        device_config.merge_user_path(path)?;
    }
    if args.use_bluetooth_le {
        start_bluetooth(devices.clone(), Arc::new(device_config));
    }
    let server = Server::new(config, devices);
    let mut options = EndpointOptions::default();
    if let Some(dir) = &args.data_dir {
        options.data_dir = dir.clone();
    }
    options.websocket.max_message_size = args.max_message_size;
    options.ipc.max_frame = args.max_message_size;
    options.quic.max_frame = args.max_message_size;

    let mut dial_out = args.connect.clone();
    if let Some(address) = &args.websocket_client_address {
        dial_out.push(address.parse()?);
    }
    let mut listen = Vec::new();
    let websocket_port = args.websocket_port.or(dial_out.is_empty().then_some(12345));
    if let Some(port) = websocket_port {
        let ip = args
            .websocket_listen_address
            .unwrap_or(if args.websocket_use_all_interfaces {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            });
        listen.push(format!("ws://{}", SocketAddr::new(ip, port)).parse()?);
    }
    for ipc in &args.ipc {
        let url = if ipc.contains("://") {
            ipc.clone()
        } else {
            format!("ipc://{ipc}")
        };
        listen.push(url.parse()?);
    }
    if let Some(port) = args.quic_port {
        let mut url: ConnectionUrl =
            format!("quic://{}", SocketAddr::new(args.quic_listen_address, port)).parse()?;
        if let (Endpoint::Quic { identity, .. }, Some(cert), Some(key)) =
            (&mut url.endpoint, &args.quic_cert, &args.quic_key)
        {
            *identity = Some((cert.clone(), key.clone()));
        }
        listen.push(url);
    }

    for url in &mut listen {
        url.format = args.format;
    }
    listen.extend(args.listen.iter().cloned());

    let mut tasks = Vec::new();
    for url in &listen {
        let listener = AnyListener::bind(url, &options).await?;
        // Scripts and people both read these lines to find the server.
        println!("plugwire listening on {}", listener.describe());
        let server = server.clone();
        let format = url.format;
        tasks.push(tokio::spawn(async move {
            server.listen_on(listener, format).await
        }));
    }
    for url in &args.forwarders {
        let listener = AnyListener::bind(url, &options).await?;
        println!(
            "plugwire accepting device forwarders on {}",
            listener.describe()
        );
        tasks.push(tokio::spawn(endpoint::accept_forwarders_on(
            server.devices().clone(),
            listener,
            server.shutdown_token(),
        )));
    }
    for url in &dial_out {
        let dialer = AnyDialer::new(url, &options)?;
        println!("plugwire dialling {url}");
        let server = server.clone();
        let format = url.format;
        tasks.push(tokio::spawn(async move {
            server.dial_out(dialer, format).await
        }));
    }
    if tasks.is_empty() {
        return Err("nothing to do: no listener and nothing to dial".into());
    }

    shutdown_signal().await?;
    info!("stopping every device and closing sessions");
    server.shutdown().await;
    for task in tasks {
        let _ = task.await;
    }
    info!("stopped");
    Ok(())
}

/// Starts Bluetooth LE in the background: a missing or hung stack is reported in one line
/// and everything else keeps being served.
fn start_bluetooth(devices: Arc<DeviceManager>, config: Arc<DeviceConfig>) {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match BleManager::start(devices.clone(), config, BleOptions::default()).await {
            Ok(ble) => {
                devices.add_hardware_manager(ble);
                info!("Bluetooth LE ready; scanning when a client asks");
            }
            Err(error) => warn!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "Bluetooth LE unavailable: {error}; serving the other devices"
            ),
        }
    });
}

/// Connects as a client, dialling or (with `--listen`) waiting for the server to dial in.
async fn connect(peer: PeerArgs, name: &str) -> Result<Client, AnyError> {
    let options = EndpointOptions::default();
    let connector = match (peer.connect, peer.listen) {
        (Some(url), None) => endpoint::dial(&url, &options)?,
        (None, Some(url)) => {
            let (connector, description) = endpoint::listen(&url, &options).await?;
            println!("plugwire waiting on {description}");
            connector
        }
        _ => return Err("give exactly one of --connect or --listen".into()),
    };
    Ok(Client::connect(name, connector).await?)
}

async fn devices(peer: PeerArgs, scan: Duration) -> Result<(), AnyError> {
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

async fn vibrate(
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

async fn stop(peer: PeerArgs) -> Result<(), AnyError> {
    let client = connect(peer, "plugwire stop").await?;
    client.stop_all().await?;
    println!("stopped every device");
    client.disconnect().await?;
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

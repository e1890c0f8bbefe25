//! The command line: argument parsing, and composing the library's pieces into a server
//! ([`serve`]) or a one-shot client ([`client`]).

#[cfg(not(all(
    any(feature = "websocket", feature = "ipc", feature = "quic"),
    any(feature = "json", feature = "msgpack")
)))]
compile_error!(
    "the `cli` feature needs at least one transport (websocket, ipc, quic) and one serializer (json, msgpack)"
);

mod client;
mod device_config;
mod error;
mod open_files;
mod scan;
mod serve;
pub(crate) mod thread_cache;
mod token;

use std::time::Duration;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use self::error::AnyError;

/// The whole command line.
#[derive(Parser, Debug)]
#[command(
    name = "plugwire",
    version,
    about = "Buttplug protocol server and client over any transport"
)]
pub(crate) struct Cli {
    /// Log filter (e.g. `info`, `plugwire=debug`); overrides RUST_LOG.
    #[arg(long, global = true)]
    pub(crate) log: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Run a Buttplug server.
    Serve(Box<serve::ServeArgs>),
    /// Connect, scan briefly, print the device list.
    Devices {
        #[command(flatten)]
        peer: client::PeerArgs,
        /// How long to scan before printing.
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        scan: Duration,
    },
    /// Vibrate one device, then stop it.
    Vibrate {
        #[command(flatten)]
        peer: client::PeerArgs,
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
        peer: client::PeerArgs,
    },
    /// Check a device configuration and say which devices it covers (`--models` lists every
    /// model plugwire can drive).
    DeviceConfig(device_config::DeviceConfigArgs),
    /// Scan for Bluetooth LE devices (no server) and say, for each that advertises, what
    /// `serve` would do with it: its model and protocol and whether plugwire drives it, or why
    /// not.
    Scan(scan::ScanArgs),
}

/// Sends logs to stderr (so stdout carries only what scripts read), without colour codes when
/// stderr is not a terminal.
pub(crate) fn init_logging(
    filter: Option<&str>,
) -> Result<(), tracing_subscriber::filter::ParseError> {
    let filter = match filter {
        Some(filter) => EnvFilter::try_new(filter)?,
        None => EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new("info"))?,
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    Ok(())
}

/// Runs one command to its end.
pub(crate) async fn run(command: Command) -> Result<(), AnyError> {
    match command {
        Command::Serve(args) => serve::serve(*args).await,
        Command::Devices { peer, scan } => client::devices(peer, scan).await,
        Command::Vibrate {
            peer,
            device,
            value,
            duration,
        } => client::vibrate(peer, device, value, duration).await,
        Command::Stop { peer } => client::stop(peer).await,
        Command::DeviceConfig(args) => device_config::run(args),
        Command::Scan(args) => scan::run(args).await,
    }
}

/// An error and every cause under it, `outer: inner: innermost`, so a person sees what to act
/// on (`could not connect to ws://[::1]:12345: Connection refused`), with repeats left out.
pub(crate) fn explain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = inner.source();
    }
    text
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

//! `plugwire scan`: a Bluetooth LE scan of its own (no server), printing every advertising
//! device with what `plugwire serve` would do with it, one line each, its fields separated by
//! tabs (shown here as spaces):
//!
//! ```text
//! LVS-Hush       C4:4F:33:12:34:56  -52 dBm  Lovense Device (lovense): drivable
//! Kitchen Scale  C4:4F:33:00:00:02  -60 dBm  unknown name: matches no protocol
//! WB-TDD         C4:4F:33:00:00:03  -71 dBm  Galaku Panty Vib (muse): protocol muse has no driver
//! LVS-Edge       C4:4F:33:00:00:04  -48 dBm  Lovense Device (lovense): denied by the user configuration
//! ```
//!
//! What a person asks first when a toy is not found.

use std::path::PathBuf;

use clap::Args;

use super::error::AnyError;

/// How long to scan, and which configuration judges what is seen.
#[derive(Args, Debug)]
pub(crate) struct ScanArgs {
    /// How long to scan, in seconds (fractions allowed).
    #[arg(long, default_value_t = 5.0, value_parser = seconds)]
    seconds: f64,
    /// A device configuration to use instead of the built-in database (v4 or v5 JSON), as
    /// `serve` takes it.
    #[arg(long, value_name = "PATH")]
    device_config_file: Option<PathBuf>,
    /// A user device configuration to add to it (its deny and allow entries count), as `serve`
    /// takes it.
    #[arg(long, value_name = "PATH")]
    user_device_config_file: Option<PathBuf>,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0 to 3600"
        )),
    }
}

/// Scans, then prints one line per device (by address): name, address, signal strength and
/// the verdict, tab-separated. Nothing seen is said on stderr; no adapter or no Bluetooth
/// stack is the command's error.
#[cfg(feature = "ble")]
pub(crate) async fn run(args: ScanArgs) -> Result<(), AnyError> {
    use plugwire::ble::{BleOptions, scan};

    let config = super::device_config::load(
        args.device_config_file.as_ref(),
        args.user_device_config_file.as_ref(),
    )?;
    let duration = std::time::Duration::from_secs_f64(args.seconds);
    let sightings = scan(&config, duration, &BleOptions::default())
        .await
        .map_err(|error| {
            format!(
                "Bluetooth LE unavailable: {error} (an adapter must be present, powered and \
                 not blocked, and BlueZ running; see docs/bluetooth.md)"
            )
        })?;
    if sightings.is_empty() {
        eprintln!(
            "plugwire: no Bluetooth LE device advertised within {:?}",
            duration
        );
    }
    let mut out = String::new();
    for sighting in &sightings {
        let rssi = sighting
            .rssi
            .map_or_else(|| "? dBm".to_owned(), |rssi| format!("{rssi} dBm"));
        let connected = if sighting.connected {
            " (connected to this computer)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{}\t{}\t{rssi}\t{}{connected}\n",
            sighting.name.as_deref().unwrap_or("(no name)"),
            sighting.address,
            sighting.verdict,
        ));
    }
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

#[cfg(not(feature = "ble"))]
pub(crate) async fn run(_: ScanArgs) -> Result<(), AnyError> {
    Err("scan: this plugwire is built without Bluetooth LE (cargo feature `ble`)".into())
}

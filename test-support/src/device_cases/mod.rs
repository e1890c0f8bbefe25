//! A runner for Buttplug's device-test-case files (the YAML format buttplug-rs keeps its
//! protocol tests in), played against plugwire's own protocol layer.
//!
//! Each case is played once for a spec v4 client and once for a spec v3 client. A device is
//! recording hardware advertising the case's name; it is matched against the device database
//! (plus the case's user configuration, from the `config/` folder beside it; a device whose
//! address is a serial port a user configuration names is claimed by that port), attached through
//! the protocol's identification and initialisation while the case's `device_init` steps
//! answer, and must be listed under `expected_name`. Then `device_commands` runs: messages are
//! built as that version's client builds them, converted by plugwire's spec-version
//! conversion and carried out by the device manager and the device's task, exactly as a
//! session does; the hardware commands that result are compared with the expected ones one at
//! a time, in order, byte for byte (500 ms allowed for each). As in buttplug-rs, commands
//! after the last expected one are not checked.

#[cfg(target_os = "linux")]
mod bluetooth;
#[cfg(target_os = "linux")]
mod bluetooth_side;
mod failure;
mod format;
mod messages;
mod player;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use plugwire_core::message::SpecVersion;
use plugwire_devices::config::DeviceConfig;

pub use self::failure::CaseFailure;
use self::format::TestCase;

/// The spec versions each case is played for.
const VERSIONS: [SpecVersion; 2] = [SpecVersion::V4, SpecVersion::V3];

/// One case's outcome.
#[derive(Debug)]
pub struct CaseReport {
    /// The case's file name.
    pub name: String,
    /// Passed, or the first difference.
    pub result: Result<(), CaseFailure>,
}

/// The case files named: each file as it is, each directory's `*.yaml` files (not its
/// `config/` folder), in name order.
pub fn case_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Plays one case file.
pub async fn run_file(path: &Path) -> CaseReport {
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let config_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("config"), |dir| dir.join("config"));
    let result = match std::fs::read_to_string(path) {
        Ok(text) => run_text(&text, &config_dir).await,
        Err(error) => Err(CaseFailure::Unreadable(error)),
    };
    CaseReport { name, result }
}

/// Plays a case given as text; `config_dir` holds the configuration files it names.
pub async fn run_text(text: &str, config_dir: &Path) -> Result<(), CaseFailure> {
    let case = format::parse(text).map_err(CaseFailure::Malformed)?;
    let config = Arc::new(config_for(&case, config_dir)?);
    for version in VERSIONS {
        player::play(&case, &config, version).await?;
    }
    Ok(())
}

/// Plays one case file over Bluetooth: each device is a peripheral of `sim` (shaped by the
/// database entry that claims its name) that plugwire-ble finds, connects and attaches through
/// btleplug, which must reach `sim` as its system bus (`DBUS_SYSTEM_BUS_ADDRESS`; see
/// [`crate::bluez::rerun_with_private_system_bus`]). The commands compared are the simulated
/// characteristics' `WriteValue`, `StartNotify` and `StopNotify` calls. Each device gets an
/// address of its own, so a user configuration that names one by address does not apply.
#[cfg(target_os = "linux")]
pub async fn run_file_over_bluetooth(
    path: &Path,
    sim: &crate::bluez::SimulatedBluez,
) -> CaseReport {
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let config_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("config"), |dir| dir.join("config"));
    let result = match std::fs::read_to_string(path) {
        Ok(text) => run_text_over_bluetooth(&text, &config_dir, sim).await,
        Err(error) => Err(CaseFailure::Unreadable(error)),
    };
    CaseReport { name, result }
}

/// Plays a case given as text over Bluetooth (see [`run_file_over_bluetooth`]).
#[cfg(target_os = "linux")]
pub async fn run_text_over_bluetooth(
    text: &str,
    config_dir: &Path,
    sim: &crate::bluez::SimulatedBluez,
) -> Result<(), CaseFailure> {
    use std::sync::atomic::{AtomicU16, Ordering};
    /// Plays so far in this process: each gets peripherals of its own.
    static PLAYS: AtomicU16 = AtomicU16::new(0);
    let case = format::parse(text).map_err(CaseFailure::Malformed)?;
    let config = Arc::new(config_for(&case, config_dir)?);
    for version in VERSIONS {
        let play = PLAYS.fetch_add(1, Ordering::Relaxed);
        bluetooth::play(&case, &config, version, sim, play).await?;
    }
    Ok(())
}

/// The database the case runs against, with its user configuration.
fn config_for(case: &TestCase, config_dir: &Path) -> Result<DeviceConfig, CaseFailure> {
    let mut config = match &case.device_config_file {
        Some(file) => DeviceConfig::load(&config_dir.join(file)).map_err(CaseFailure::Config)?,
        None => DeviceConfig::builtin(),
    };
    if let Some(file) = &case.user_device_config_file {
        config
            .merge_user_path(&config_dir.join(file))
            .map_err(CaseFailure::Config)?;
    }
    Ok(config)
}

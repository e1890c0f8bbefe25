//! `plugwire device-config`: checks a device configuration and says what it knows, so a person
//! can see whether their toy is supported before buying a dongle or filing a bug.

use std::path::PathBuf;

use clap::Args;
use plugwire::devices::catalog;
use plugwire::devices::config::DeviceConfig;

use super::error::AnyError;

/// Which configuration to check, and what to print.
#[derive(Args, Debug)]
pub(crate) struct DeviceConfigArgs {
    /// A device configuration to check instead of the built-in database (v4 or v5 JSON).
    #[arg(long, value_name = "PATH")]
    device_config_file: Option<PathBuf>,
    /// A user device configuration to add to it.
    #[arg(long, value_name = "PATH")]
    user_device_config_file: Option<PathBuf>,
    /// List every model plugwire can drive, as `protocol<TAB>name`, one per line.
    #[arg(long)]
    models: bool,
}

/// Loads the configuration the flags name (a bad file is the command's error).
pub(crate) fn load(
    device_config_file: Option<&PathBuf>,
    user_device_config_file: Option<&PathBuf>,
) -> Result<DeviceConfig, AnyError> {
    let mut config = match device_config_file {
        Some(path) => DeviceConfig::load(path)?,
        None => DeviceConfig::builtin(),
    };
    if let Some(path) = user_device_config_file {
        config.merge_user_path(path)?;
    }
    Ok(config)
}

/// Prints the summary, or with `--models` the drivable models.
pub(crate) fn run(args: DeviceConfigArgs) -> Result<(), AnyError> {
    let config = load(
        args.device_config_file.as_ref(),
        args.user_device_config_file.as_ref(),
    )?;
    if args.models {
        for model in catalog::models(&config).filter(|m| m.drivable) {
            println!("{}\t{}", model.protocol, model.name);
        }
        return Ok(());
    }
    let summary = catalog::summary(&config);
    let (major, minor) = summary.version;
    println!("device configuration version {major}.{minor}: valid");
    println!(
        "protocols: {} known, {} with a driver",
        summary.protocols, summary.protocols_with_driver
    );
    println!(
        "models: {} known, {} drivable",
        summary.models, summary.models_drivable
    );
    Ok(())
}

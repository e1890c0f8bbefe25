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

mod format;
mod messages;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use plugwire_core::ErrorReply;
use plugwire_core::message::SpecVersion;
use tokio::task::JoinHandle;

use self::format::{DeviceEvent, ExpectedCommand, Step, TestCase};
use crate::config::{Advertisement, ConfigError, DeviceConfig};
use crate::hardware::{Endpoint, HardwareWrite, UnknownEndpoint};
use crate::recording::{HardwareCommand, RecordingHardware};
use crate::{AttachError, DeviceError, DeviceManager, admit, attach};

/// How long each expected hardware command may take to arrive.
const COMMAND_WAIT: Duration = Duration::from_millis(500);
/// How long a device may take to be identified and listed (Lovense asks six times, 500 ms
/// each, before it falls back to the name).
const ATTACH_WAIT: Duration = Duration::from_secs(5);
/// The spec versions each case is played for.
const VERSIONS: [SpecVersion; 2] = [SpecVersion::V4, SpecVersion::V3];

/// Why a case did not pass: the first difference.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseFailure {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is not a test case.
    #[error("not a device test case: {0}")]
    Malformed(#[source] serde_norway::Error),
    /// Its configuration file could not be used.
    #[error("its configuration: {0}")]
    Config(#[source] ConfigError),
    /// An endpoint name the database does not know.
    #[error(transparent)]
    Endpoint(#[from] UnknownEndpoint),
    /// No protocol of the database claims the device.
    #[error("no protocol claims a device named {0:?}")]
    Unclaimed(String),
    /// The device could not be attached.
    #[error("{0}")]
    Attach(#[source] AttachError),
    /// The device was not listed in time.
    #[error("the device was not identified and listed within {ATTACH_WAIT:?}")]
    NotListed,
    /// It was listed under another name.
    #[error("listed as {got:?}, expected {expected:?}")]
    Name {
        /// What the case expects.
        expected: String,
        /// What plugwire listed.
        got: String,
    },
    /// A command the case expects did not arrive.
    #[error("at spec {version}, {step}: expected {expected}, got nothing")]
    Missing {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What was expected.
        expected: String,
    },
    /// Another command arrived.
    #[error("at spec {version}, {step}: expected {expected}, got {got}")]
    Different {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What was expected.
        expected: String,
        /// What arrived.
        got: String,
    },
    /// A message was refused.
    #[error("at spec {version}, {step}: the message was refused: {error}")]
    Refused {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What the server answered.
        error: ErrorReply,
    },
    /// A message the runner cannot build for this client version.
    #[error("at spec {version}, {step}: {what}")]
    Unsupported {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What cannot be built.
        what: String,
    },
    /// A battery read gave another level.
    #[error("at spec {version}: the battery read {got:?}, expected {expected}")]
    Battery {
        /// The client's spec version.
        version: SpecVersion,
        /// The fraction expected.
        expected: f64,
        /// What the read gave.
        got: Result<f64, String>,
    },
}

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
        play(&case, &config, version).await?;
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

/// Plays a case for one client version.
async fn play(
    case: &TestCase,
    config: &Arc<DeviceConfig>,
    version: SpecVersion,
) -> Result<(), CaseFailure> {
    let manager = Arc::new(DeviceManager::new());
    let mut devices = Vec::new();
    let mut attaching: Vec<JoinHandle<Result<u32, AttachError>>> = Vec::new();
    for device in &case.devices {
        let name = &device.identifier.name;
        let address = device.identifier.address.as_deref().unwrap_or(name);
        let advertisement = Advertisement {
            name: name.clone(),
            ..Advertisement::default()
        };
        // A device at a serial port a user configuration names is claimed by that port.
        let protocol = config
            .match_advertisement(&advertisement)
            .map(|(protocol, _)| protocol)
            .or_else(|| {
                config
                    .match_serial_port(address)
                    .map(|(protocol, _)| protocol)
            })
            .map(str::to_owned)
            .ok_or_else(|| CaseFailure::Unclaimed(name.clone()))?;
        admit(config, &protocol, name, address).map_err(CaseFailure::Attach)?;
        let hardware = Arc::new(RecordingHardware::at(name, address));
        let (manager, config, attached) = (manager.clone(), config.clone(), hardware.clone());
        attaching.push(tokio::spawn(async move {
            attach(&manager, &config, &protocol, attached).await
        }));
        devices.push(Played { hardware, seen: 0 });
    }
    let mut player = Player {
        manager,
        devices,
        version,
        battery_reads: Vec::new(),
    };
    player.run(&case.device_init, "device_init").await?;
    for (device, attached) in case.devices.iter().zip(attaching) {
        let index = match tokio::time::timeout(ATTACH_WAIT, attached).await {
            Ok(Ok(Ok(index))) => index,
            Ok(Ok(Err(error))) => return Err(CaseFailure::Attach(error)),
            _ => return Err(CaseFailure::NotListed),
        };
        let info = player.manager.device(index).ok_or(CaseFailure::NotListed)?;
        check_name(device.expected_name.as_deref(), Some(&info.device_name))?;
        if version >= SpecVersion::V3 {
            check_name(
                device.expected_display_name.as_deref(),
                info.device_display_name.as_deref(),
            )?;
        }
    }
    player.run(&case.device_commands, "device_commands").await?;
    for read in std::mem::take(&mut player.battery_reads) {
        read.await.unwrap_or(Ok(()))?;
    }
    Ok(())
}

fn check_name(expected: Option<&str>, got: Option<&str>) -> Result<(), CaseFailure> {
    match expected {
        Some(expected) if got != Some(expected) => Err(CaseFailure::Name {
            expected: expected.to_owned(),
            got: got.unwrap_or_default().to_owned(),
        }),
        _ => Ok(()),
    }
}

/// One device's hardware and how many of its commands have been checked.
struct Played {
    hardware: Arc<RecordingHardware>,
    seen: usize,
}

/// The state of one play of a case.
struct Player {
    manager: Arc<DeviceManager>,
    devices: Vec<Played>,
    version: SpecVersion,
    /// Battery reads left running (`run_async`), checked at the end.
    battery_reads: Vec<JoinHandle<Result<(), CaseFailure>>>,
}

impl Player {
    async fn run(&mut self, steps: &[Step], part: &str) -> Result<(), CaseFailure> {
        let mut flat = Vec::new();
        flatten(steps, self.version, &mut flat);
        for (number, step) in flat.into_iter().enumerate() {
            let place = format!("{part} step {}", number + 1);
            match step {
                Step::Messages {
                    device_index,
                    messages,
                } => {
                    for message in messages {
                        messages::send(self, *device_index, message, &place).await?;
                    }
                }
                Step::Commands {
                    device_index,
                    commands,
                } => self.expect(*device_index, commands, &place).await?,
                Step::Events {
                    device_index,
                    events,
                } => self.happen(*device_index, events)?,
                Step::VersionGated { .. } => {}
            }
        }
        Ok(())
    }

    fn device(&mut self, index: u32) -> &mut Played {
        let last = self.devices.len().saturating_sub(1);
        let at = usize::try_from(index).unwrap_or(last).min(last);
        &mut self.devices[at]
    }

    async fn expect(
        &mut self,
        device_index: u32,
        commands: &[ExpectedCommand],
        place: &str,
    ) -> Result<(), CaseFailure> {
        let version = self.version;
        for expected in commands {
            let expected = expected_command(expected)?;
            let device = self.device(device_index);
            let Some(got) = device
                .hardware
                .next_command(device.seen, COMMAND_WAIT)
                .await
            else {
                return Err(CaseFailure::Missing {
                    version,
                    step: place.to_owned(),
                    expected: describe(&expected),
                });
            };
            device.seen += 1;
            if got.command != expected {
                return Err(CaseFailure::Different {
                    version,
                    step: place.to_owned(),
                    expected: describe(&expected),
                    got: describe(&got.command),
                });
            }
        }
        Ok(())
    }

    fn happen(&mut self, device_index: u32, events: &[DeviceEvent]) -> Result<(), CaseFailure> {
        let hardware = self.device(device_index).hardware.clone();
        for event in events {
            match event {
                DeviceEvent::Notifications(sent) => {
                    for n in sent {
                        hardware.notify(n.endpoint.parse()?, &n.data);
                    }
                }
                DeviceEvent::Reads(answers) => {
                    for a in answers {
                        hardware.queue_read(a.endpoint.parse()?, &a.data);
                    }
                }
                DeviceEvent::Disconnect => hardware.disconnect(),
            }
        }
        Ok(())
    }
}

/// The steps for `version`: gated ones inlined where the version is new enough.
fn flatten<'a>(steps: &'a [Step], version: SpecVersion, out: &mut Vec<&'a Step>) {
    for step in steps {
        match step {
            Step::VersionGated {
                min_spec_version,
                commands,
            } => {
                if version.number() >= *min_spec_version {
                    flatten(commands, version, out);
                }
            }
            other => out.push(other),
        }
    }
}

fn expected_command(expected: &ExpectedCommand) -> Result<HardwareCommand, UnknownEndpoint> {
    Ok(match expected {
        ExpectedCommand::Write {
            endpoint,
            data,
            write_with_response,
        } => HardwareCommand::Write(HardwareWrite::new(
            endpoint.parse::<Endpoint>()?,
            data.clone(),
            *write_with_response,
        )),
        ExpectedCommand::Subscribe { endpoint } => HardwareCommand::Subscribe(endpoint.parse()?),
        ExpectedCommand::Unsubscribe { endpoint } => {
            HardwareCommand::Unsubscribe(endpoint.parse()?)
        }
    })
}

/// A command for people: text when it is text, bytes otherwise.
fn describe(command: &HardwareCommand) -> String {
    match command {
        HardwareCommand::Write(write) => {
            let shown = match std::str::from_utf8(&write.data) {
                Ok(text) if text.chars().all(|c| !c.is_control() || c == '\n') => {
                    format!("{text:?}")
                }
                _ => format!("{:02x?}", write.data),
            };
            let response = if write.with_response {
                " with response"
            } else {
                ""
            };
            format!("write {shown} to {}{response}", write.endpoint)
        }
        HardwareCommand::Subscribe(endpoint) => format!("subscribe to {endpoint}"),
        HardwareCommand::Unsubscribe(endpoint) => format!("unsubscribe from {endpoint}"),
    }
}

/// A device error as the protocol answers it.
fn refused(error: DeviceError) -> ErrorReply {
    error.into()
}

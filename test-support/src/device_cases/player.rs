//! One play of a case for one client version: the devices attached on recording hardware,
//! the steps run in order, and each hardware command compared with the one expected.

use std::sync::Arc;
use std::time::Duration;

use plugwire_core::message::SpecVersion;
use plugwire_devices::config::{Advertisement, DeviceConfig};
use plugwire_devices::hardware::{Endpoint, HardwareWrite, UnknownEndpoint};
use plugwire_devices::recording::{HardwareCommand, RecordingHardware};
use plugwire_devices::{AttachError, DeviceManager, admit, attach};
use tokio::task::JoinHandle;

use super::failure::{ATTACH_WAIT, CaseFailure};
use super::format::{DeviceEvent, ExpectedCommand, Step, TestCase};
use super::messages::{self, Client};

/// How long each expected hardware command may take to arrive.
const COMMAND_WAIT: Duration = Duration::from_millis(500);

/// Plays a case for one client version.
pub(super) async fn play(
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
        devices.push(Played {
            device: Side::Recording(hardware),
            seen: 0,
        });
    }
    let mut player = Player {
        client: Client {
            manager,
            version,
            battery_reads: Vec::new(),
        },
        devices,
        command_wait: COMMAND_WAIT,
    };
    player.run(&case.device_init, "device_init").await?;
    for (device, attached) in case.devices.iter().zip(attaching) {
        let index = match tokio::time::timeout(ATTACH_WAIT, attached).await {
            Ok(Ok(Ok(index))) => index,
            Ok(Ok(Err(error))) => return Err(CaseFailure::Attach(error)),
            _ => return Err(CaseFailure::NotListed),
        };
        let info = player
            .client
            .manager
            .device(index)
            .ok_or(CaseFailure::NotListed)?;
        check_name(device.expected_name.as_deref(), Some(&info.device_name))?;
        if version >= SpecVersion::V3 {
            check_name(
                device.expected_display_name.as_deref(),
                info.device_display_name.as_deref(),
            )?;
        }
    }
    player.run(&case.device_commands, "device_commands").await?;
    for read in std::mem::take(&mut player.client.battery_reads) {
        read.await.unwrap_or(Ok(()))?;
    }
    Ok(())
}

pub(super) fn check_name(expected: Option<&str>, got: Option<&str>) -> Result<(), CaseFailure> {
    match expected {
        Some(expected) if got != Some(expected) => Err(CaseFailure::Name {
            expected: expected.to_owned(),
            got: got.unwrap_or_default().to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Where a device's commands are seen and its events made: recording hardware, or (over
/// Bluetooth) a simulated BlueZ peripheral.
pub(super) enum Side<'a> {
    Recording(Arc<RecordingHardware>),
    #[cfg(target_os = "linux")]
    Bluetooth(super::bluetooth_side::BluetoothSide<'a>),
    #[cfg(not(target_os = "linux"))]
    #[allow(dead_code)]
    Never(std::marker::PhantomData<&'a ()>),
}

impl Side<'_> {
    /// Its command number `seen` (from 0), waiting at most `limit`.
    async fn next_command(&self, seen: usize, limit: Duration) -> Option<HardwareCommand> {
        match self {
            Side::Recording(hardware) => hardware
                .next_command(seen, limit)
                .await
                .map(|got| got.command),
            #[cfg(target_os = "linux")]
            Side::Bluetooth(side) => side.next_command(seen, limit).await,
            #[cfg(not(target_os = "linux"))]
            Side::Never(_) => None,
        }
    }

    fn notify(&self, endpoint: Endpoint, data: &[u8]) {
        match self {
            Side::Recording(hardware) => {
                hardware.notify(endpoint, data);
            }
            #[cfg(target_os = "linux")]
            Side::Bluetooth(side) => side.notify(endpoint, data),
            #[cfg(not(target_os = "linux"))]
            Side::Never(_) => {}
        }
    }

    fn queue_read(&self, endpoint: Endpoint, data: &[u8]) {
        match self {
            Side::Recording(hardware) => hardware.queue_read(endpoint, data),
            #[cfg(target_os = "linux")]
            Side::Bluetooth(side) => side.queue_read(endpoint, data),
            #[cfg(not(target_os = "linux"))]
            Side::Never(_) => {}
        }
    }

    fn disconnect(&self) {
        match self {
            Side::Recording(hardware) => hardware.disconnect(),
            #[cfg(target_os = "linux")]
            Side::Bluetooth(side) => side.disconnect(),
            #[cfg(not(target_os = "linux"))]
            Side::Never(_) => {}
        }
    }
}

/// One device and how many of its commands have been checked.
pub(super) struct Played<'a> {
    pub(super) device: Side<'a>,
    pub(super) seen: usize,
}

/// The state of one play of a case.
pub(super) struct Player<'a> {
    /// The case's client, which sends the messages.
    pub(super) client: Client,
    pub(super) devices: Vec<Played<'a>>,
    /// How long each expected hardware command may take to arrive.
    pub(super) command_wait: Duration,
}

impl<'a> Player<'a> {
    pub(super) async fn run(&mut self, steps: &[Step], part: &str) -> Result<(), CaseFailure> {
        let mut flat = Vec::new();
        flatten(steps, self.client.version, &mut flat);
        for (number, step) in flat.into_iter().enumerate() {
            let place = format!("{part} step {}", number + 1);
            match step {
                Step::Messages {
                    device_index,
                    messages,
                } => {
                    for message in messages {
                        messages::send(&mut self.client, *device_index, message, &place).await?;
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

    fn device(&mut self, index: u32) -> &mut Played<'a> {
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
        let version = self.client.version;
        for expected in commands {
            let expected = expected_command(expected)?;
            let wait = self.command_wait;
            let device = self.device(device_index);
            let Some(got) = device.device.next_command(device.seen, wait).await else {
                return Err(CaseFailure::Missing {
                    version,
                    step: place.to_owned(),
                    expected: describe(&expected),
                });
            };
            device.seen += 1;
            if got != expected {
                return Err(CaseFailure::Different {
                    version,
                    step: place.to_owned(),
                    expected: describe(&expected),
                    got: describe(&got),
                });
            }
        }
        Ok(())
    }

    fn happen(&mut self, device_index: u32, events: &[DeviceEvent]) -> Result<(), CaseFailure> {
        let hardware = &self.device(device_index).device;
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

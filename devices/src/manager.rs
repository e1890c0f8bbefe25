//! `DeviceManager`: owns the connected devices, checks every command against the device's
//! features, remembers which session drove each output, and stops them when it ends.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use plugwire_core::message::{
    DeviceFeature, DeviceInfo, InputCommand, InputReadingValue, InputType, OutputCommand,
    OutputType, SpecVersion, VersionedServerMessage, device_list,
};
use plugwire_core::sync::{Mutex, MutexGuard};
use plugwire_core::template::Templates;
use tokio::sync::broadcast;
use tracing::{info, warn};

use crate::backend::{Delivery, DeviceBackend};
use crate::error::DeviceError;
use crate::hardware::{HardwareError, HardwareManager};

/// Identifies one client session to the device manager.
pub type SessionId = u64;

/// What happened to the set of devices, told to every session.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceEvent {
    /// A device connected.
    Added(DeviceInfo),
    /// A device disconnected.
    Removed(DeviceInfo),
    /// Scanning ended.
    ScanningFinished,
    /// An input reported a value on its own (for subscribers).
    InputReading {
        /// Device that reported.
        device_index: u32,
        /// Feature that reported.
        feature_index: u32,
        /// The reading.
        reading: InputReadingValue,
    },
}

/// An output's level changed: a session set it, or a stop set it to 0. Told to subscribers of
/// [`DeviceManager::subscribe_outputs`] (a channel apart from [`DeviceEvent`], so a flood of
/// commands never makes sessions fall behind on devices coming and going).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputChange {
    /// Device whose output changed.
    pub device_index: u32,
    /// Feature whose output changed.
    pub feature_index: u32,
    /// Which output.
    pub output_type: OutputType,
    /// The step it was set to, inside the output's range (0 after a stop).
    pub value: i32,
    /// The session that set it, or none for a stop (which covers every session).
    pub session: Option<SessionId>,
}

/// What a new device is listed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Its name.
    pub name: String,
    /// The name a user gave it.
    pub display_name: Option<String>,
    /// Least milliseconds between two writes.
    pub message_gap_ms: u32,
    /// Its features, each with its index (indexes may have gaps).
    pub features: Vec<DeviceFeature>,
    /// The device index to list it under, if it is free (a user's reservation).
    pub index: Option<u32>,
}

/// Which outputs a stop covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopScope {
    /// One device, or all.
    pub device_index: Option<u32>,
    /// One feature of that device, or all.
    pub feature_index: Option<u32>,
}

struct Managed {
    info: DeviceInfo,
    backend: Arc<dyn DeviceBackend>,
}

#[derive(Default)]
struct State {
    devices: BTreeMap<u32, Managed>,
    next_index: u32,
    /// Which session last set each output to a non-stop value.
    drivers: HashMap<(u32, u32, OutputType), SessionId>,
    /// The last step each output was set to (0 after a stop).
    levels: HashMap<(u32, u32, OutputType), i32>,
    /// Device lists already built for this generation, per spec version: every session asking
    /// shares one instead of each request cloning and converting the device table.
    lists: [Option<DeviceListSnapshot>; SpecVersion::COUNT],
    /// Shutdown has begun: no output command is obeyed any more.
    closing: bool,
}

/// The device list as one spec version sees it, shared by every session until a device is
/// added or removed.
#[derive(Debug, Clone)]
pub struct DeviceListSnapshot {
    /// The [`DeviceManager::generation`] it was built in.
    pub generation: u64,
    /// A `DeviceList` (Id 0) in the version's shape, for `SharedDeviceList` replies.
    pub list: Arc<VersionedServerMessage>,
    /// Encodings of `list`, made by the first reply in each serializer and reused by the rest.
    pub templates: Arc<Templates>,
    /// The indexes of the devices listed.
    pub indexes: Arc<BTreeSet<u32>>,
}

/// Owns every device and serves every session.
pub struct DeviceManager {
    state: Mutex<State>,
    /// Bumped (with `state` locked) whenever a device is added or removed; read without the
    /// lock, as every `RequestDeviceList` of every session checks it.
    generation: AtomicU64,
    events: broadcast::Sender<DeviceEvent>,
    outputs: broadcast::Sender<OutputChange>,
    hardware_managers: Mutex<Vec<Arc<dyn HardwareManager>>>,
}

impl Default for DeviceManager {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceManager {
    /// An empty manager.
    pub fn new() -> Self {
        let (events, _) = broadcast::channel(1024);
        let (outputs, _) = broadcast::channel(1024);
        Self {
            state: Mutex::new(State::default()),
            generation: AtomicU64::new(0),
            events,
            outputs,
            hardware_managers: Mutex::new(Vec::new()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// The devices changed (`state` is the locked state): every cached list is stale.
    fn changed(&self, state: &mut State) {
        state.lists = Default::default();
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Events about devices, for one subscriber.
    pub fn subscribe(&self) -> broadcast::Receiver<DeviceEvent> {
        self.events.subscribe()
    }

    /// Output level changes, for one subscriber (a live view of the devices).
    pub fn subscribe_outputs(&self) -> broadcast::Receiver<OutputChange> {
        self.outputs.subscribe()
    }

    /// The last step each output of a device was set to (0 after a stop), by feature index and
    /// output type; outputs never set are absent.
    pub fn output_levels(&self, device_index: u32) -> BTreeMap<(u32, OutputType), i32> {
        self.state()
            .levels
            .iter()
            .filter(|((d, _, _), _)| *d == device_index)
            .map(|(&(_, f, t), &value)| ((f, t), value))
            .collect()
    }

    /// Records an output's new level and tells subscribers.
    fn output_changed(
        &self,
        state: &mut State,
        (device_index, feature_index, output_type): (u32, u32, OutputType),
        value: i32,
        session: Option<SessionId>,
    ) {
        state
            .levels
            .insert((device_index, feature_index, output_type), value);
        // Nobody listening is fine: the level is kept for whoever asks later.
        let _ = self.outputs.send(OutputChange {
            device_index,
            feature_index,
            output_type,
            value,
            session,
        });
    }

    /// Adds a device; its index is assigned here, its features keep their indexes. Returns
    /// the index.
    pub fn add_device(&self, listing: Listing, backend: Arc<dyn DeviceBackend>) -> u32 {
        let info = {
            let mut state = self.state();
            let index = match listing.index {
                Some(reserved) if !state.devices.contains_key(&reserved) => reserved,
                _ => {
                    // Indexes are never reused while taken; after u32::MAX they wrap past
                    // those in use.
                    let mut index = state.next_index;
                    while state.devices.contains_key(&index) {
                        index = index.wrapping_add(1);
                    }
                    state.next_index = index.wrapping_add(1);
                    index
                }
            };
            let info = DeviceInfo {
                device_index: index,
                device_name: listing.name,
                device_display_name: listing.display_name,
                device_message_timing_gap: listing.message_gap_ms,
                device_features: listing
                    .features
                    .into_iter()
                    .map(|feature| (feature.feature_index, feature))
                    .collect(),
            };
            state.devices.insert(
                index,
                Managed {
                    info: info.clone(),
                    backend,
                },
            );
            self.changed(&mut state);
            info
        };
        info!(index = info.device_index, name = %info.device_name, "device added");
        let index = info.device_index;
        let _ = self.events.send(DeviceEvent::Added(info));
        index
    }

    /// Removes a device, stopping its outputs first. Returns whether it existed.
    pub fn remove_device(&self, device_index: u32) -> bool {
        let removed = {
            let mut state = self.state();
            state.drivers.retain(|(d, _, _), _| *d != device_index);
            state.levels.retain(|(d, _, _), _| *d != device_index);
            let removed = state.devices.remove(&device_index);
            if removed.is_some() {
                self.changed(&mut state);
            }
            removed
        };
        let Some(device) = removed else { return false };
        // Each failed stop is logged inside; a device on its way out has nobody else to tell.
        let _ = stop_device_outputs(&device, None, |_, _| {});
        info!(index = device_index, name = %device.info.device_name, "device removed");
        let _ = self.events.send(DeviceEvent::Removed(device.info));
        true
    }

    /// Every connected device.
    pub fn devices(&self) -> Vec<DeviceInfo> {
        self.state()
            .devices
            .values()
            .map(|d| d.info.clone())
            .collect()
    }

    /// Increases whenever a device is added or removed, so anything derived from the device
    /// list can tell it is stale. Read without taking the manager's lock; a
    /// [`DeviceListSnapshot`] carries the generation it was built in.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The device list as a client of `version` sees it, built once per change of devices
    /// and shared by every request of every session until the next change.
    pub fn device_list(&self, version: SpecVersion) -> DeviceListSnapshot {
        let mut state = self.state();
        if let Some(snapshot) = &state.lists[version.index()] {
            return snapshot.clone();
        }
        let devices: Vec<DeviceInfo> = state.devices.values().map(|d| d.info.clone()).collect();
        let snapshot = DeviceListSnapshot {
            generation: self.generation(),
            list: Arc::new(device_list(version, 0, &devices)),
            templates: Arc::default(),
            indexes: Arc::new(state.devices.keys().copied().collect()),
        };
        state.lists[version.index()] = Some(snapshot.clone());
        snapshot
    }

    /// The device at `index`.
    pub fn device(&self, index: u32) -> Option<DeviceInfo> {
        self.state().devices.get(&index).map(|d| d.info.clone())
    }

    /// Adds a source of devices that scans when clients ask.
    pub fn add_hardware_manager(&self, manager: Arc<dyn HardwareManager>) {
        self.hardware_managers().push(manager);
    }

    fn hardware_managers(&self) -> MutexGuard<'_, Vec<Arc<dyn HardwareManager>>> {
        self.hardware_managers.lock()
    }

    /// Starts scanning on every hardware manager; found devices arrive as `Added` events. With
    /// none (only simulated or forwarded devices, present from the start) scanning finishes at
    /// once, and the event still goes out so clients waiting for it are not left hanging.
    pub fn start_scanning(&self) {
        let managers = self.hardware_managers().clone();
        if managers.is_empty() {
            let _ = self.events.send(DeviceEvent::ScanningFinished);
            return;
        }
        for manager in managers {
            tokio::spawn(async move {
                if let Err(error) = manager.start_scanning().await {
                    warn!(%error, manager = manager.name(), "could not start scanning");
                }
            });
        }
    }

    /// Stops scanning everywhere, then tells clients scanning finished.
    pub fn stop_scanning(&self) {
        let managers = self.hardware_managers().clone();
        let events = self.events.clone();
        if managers.is_empty() {
            return;
        }
        tokio::spawn(async move {
            for manager in managers {
                if let Err(error) = manager.stop_scanning().await {
                    warn!(%error, manager = manager.name(), "could not stop scanning");
                }
            }
            let _ = events.send(DeviceEvent::ScanningFinished);
        });
    }

    /// Tells subscribers an input reported a value.
    pub fn report_input(&self, device_index: u32, feature_index: u32, reading: InputReadingValue) {
        let _ = self.events.send(DeviceEvent::InputReading {
            device_index,
            feature_index,
            reading,
        });
    }

    /// Sets an output for `session`, after checking the device, feature, type and range. The
    /// [`Delivery`] says when the device has it (see [`DeviceError::NotWritten`]).
    pub fn set_output(
        &self,
        session: SessionId,
        device_index: u32,
        feature_index: u32,
        command: OutputCommand,
    ) -> Result<Delivery, DeviceError> {
        self.set_outputs(session, device_index, &[(feature_index, command)])
    }

    /// Sets several outputs of one device for `session`: all are checked before any is set, so
    /// a bad one leaves the device untouched.
    ///
    /// The check, the record of who drives each output and the write happen under one lock, so
    /// a concurrent stop cannot slip in between and leave an output running with no owner.
    pub fn set_outputs(
        &self,
        session: SessionId,
        device_index: u32,
        commands: &[(u32, OutputCommand)],
    ) -> Result<Delivery, DeviceError> {
        let mut state = self.state();
        if state.closing {
            return Err(DeviceError::ShuttingDown);
        }
        let device = lookup(&state, device_index)?;
        for (feature_index, command) in commands {
            check_output(&device.info, *feature_index, command)?;
        }
        let backend = device.backend.clone();
        let mut delivery = Delivery::done();
        for &(feature_index, command) in commands {
            let output_type = command.output_type();
            let key = (device_index, feature_index, output_type);
            if command.is_stop() {
                state.drivers.remove(&key);
            } else {
                state.drivers.insert(key, session);
            }
            let written = backend
                .set_output(feature_index, command)
                .map_err(|source| DeviceError::Hardware {
                    device: device_index,
                    source,
                })?;
            delivery.join(written);
            self.output_changed(&mut state, key, command.value(), Some(session));
        }
        Ok(delivery)
    }

    /// Reads an input, after checking it exists and can be read.
    pub async fn read_input(
        &self,
        device_index: u32,
        feature_index: u32,
        input_type: InputType,
    ) -> Result<i32, DeviceError> {
        let backend =
            self.input_backend(device_index, feature_index, input_type, InputCommand::Read)?;
        backend
            .read_input(feature_index, input_type)
            .await
            .map_err(|source| DeviceError::Hardware {
                device: device_index,
                source,
            })
    }

    /// Checks that an input exists and accepts `command` (subscriptions are kept per session).
    pub fn check_input(
        &self,
        device_index: u32,
        feature_index: u32,
        input_type: InputType,
        command: InputCommand,
    ) -> Result<(), DeviceError> {
        self.input_backend(device_index, feature_index, input_type, command)
            .map(|_| ())
    }

    fn input_backend(
        &self,
        device_index: u32,
        feature_index: u32,
        input_type: InputType,
        command: InputCommand,
    ) -> Result<Arc<dyn DeviceBackend>, DeviceError> {
        let state = self.state();
        let device = lookup(&state, device_index)?;
        let feature = feature_of(&device.info, feature_index)?;
        let limits = feature
            .input
            .get(&input_type)
            .ok_or(DeviceError::NoSuchInput {
                device: device_index,
                feature: feature_index,
                input_type,
            })?;
        if !limits.command.contains(&command) {
            return Err(DeviceError::InputCommandUnsupported {
                device: device_index,
                feature: feature_index,
                input_type,
                command,
            });
        }
        Ok(device.backend.clone())
    }

    /// Stops the outputs in `scope`, whoever drove them. Checks the device and feature exist.
    /// Every device in scope is tried even when one fails.
    pub fn stop(&self, scope: StopScope) -> Result<(), DeviceError> {
        let mut state = self.state();
        if let Some(device_index) = scope.device_index {
            let device = lookup(&state, device_index)?;
            if let Some(feature_index) = scope.feature_index {
                feature_of(&device.info, feature_index)?;
            }
        } else if scope.feature_index.is_some() {
            return Err(DeviceError::FeatureWithoutDevice);
        }
        state.drivers.retain(|(d, f, _), _| {
            !(scope.device_index.is_none_or(|i| i == *d)
                && scope.feature_index.is_none_or(|i| i == *f))
        });
        let mut first_error = None;
        let mut stopped = Vec::new();
        for device in state
            .devices
            .values()
            .filter(|d| scope.device_index.is_none_or(|i| i == d.info.device_index))
        {
            let index = device.info.device_index;
            let result =
                stop_device_outputs(device, scope.feature_index, |feature, output_type| {
                    stopped.push((index, feature, output_type));
                });
            if let Err(error) = result {
                first_error.get_or_insert(error);
            }
        }
        for key in stopped {
            self.output_changed(&mut state, key, 0, None);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Stops every output, on every device.
    pub fn stop_all(&self) {
        let _ = self.stop(StopScope::default());
    }

    /// Begins shutdown: from now on every output command is refused
    /// ([`DeviceError::ShuttingDown`]), and every output stops. Stops and reads still work.
    pub fn close(&self) {
        self.state().closing = true;
        self.stop_all();
    }

    /// Whether shutdown has begun ([`DeviceManager::close`]).
    pub fn is_closing(&self) -> bool {
        self.state().closing
    }

    /// Refuses every output command from now on, stops every output, and waits (at most
    /// `limit`) until the stops have reached the devices: for shutdown, so nothing is left
    /// running when the process exits.
    pub async fn shutdown(&self, limit: std::time::Duration) {
        self.close();
        let backends: Vec<Arc<dyn DeviceBackend>> = self
            .state()
            .devices
            .values()
            .map(|d| d.backend.clone())
            .collect();
        futures::future::join_all(backends.iter().map(|backend| backend.finish(limit))).await;
    }

    /// Stops every output `session` drove last; outputs another session took over keep going.
    pub fn release_session(&self, session: SessionId) {
        let mut state = self.state();
        let mut released = Vec::new();
        state.drivers.retain(|&(d, f, t), owner| {
            if *owner == session {
                released.push((d, f, t));
                false
            } else {
                true
            }
        });
        for (device_index, feature, output_type) in released {
            let Some(backend) = state.devices.get(&device_index).map(|d| d.backend.clone()) else {
                continue;
            };
            match backend.stop_output(feature, output_type) {
                Ok(()) if output_type.stops_at_zero() => {
                    self.output_changed(&mut state, (device_index, feature, output_type), 0, None);
                }
                Ok(()) => {}
                Err(error) => warn!(%error, device = device_index, feature, ?output_type,
                    "could not stop an output of an ended session"),
            }
        }
    }
}

/// Checks a command against the feature's advertised output and its limits. A stop is always
/// accepted.
fn check_output(
    info: &DeviceInfo,
    feature_index: u32,
    command: &OutputCommand,
) -> Result<(), DeviceError> {
    let output_type = command.output_type();
    let feature = feature_of(info, feature_index)?;
    let limits = feature
        .output
        .get(&output_type)
        .ok_or(DeviceError::NoSuchOutput {
            device: info.device_index,
            feature: feature_index,
            output_type,
        })?;
    let value = command.value();
    if !(limits.value.contains(value) || command.is_stop()) {
        return Err(DeviceError::OutOfRange {
            output_type,
            value,
            range: limits.value,
        });
    }
    if let (OutputCommand::HwPositionWithDuration(p), Some(range)) = (command, limits.duration)
        && (i64::from(p.duration) < i64::from(range.min)
            || i64::from(p.duration) > i64::from(range.max))
    {
        return Err(DeviceError::DurationOutOfRange {
            duration: p.duration,
            range,
        });
    }
    Ok(())
}

fn lookup(state: &State, device_index: u32) -> Result<&Managed, DeviceError> {
    state
        .devices
        .get(&device_index)
        .ok_or(DeviceError::UnknownDevice(device_index))
}

fn feature_of(info: &DeviceInfo, feature_index: u32) -> Result<&DeviceFeature, DeviceError> {
    info.feature(feature_index)
        .ok_or(DeviceError::UnknownFeature {
            device: info.device_index,
            feature: feature_index,
        })
}

/// Stops every output of a device (or of one feature), trying them all even if some fail;
/// `stopped` hears of each output now at 0.
fn stop_device_outputs(
    device: &Managed,
    only_feature: Option<u32>,
    mut stopped: impl FnMut(u32, OutputType),
) -> Result<(), DeviceError> {
    let mut first_error = None;
    for feature in device.info.device_features.values() {
        if only_feature.is_some_and(|f| f != feature.feature_index) {
            continue;
        }
        for &output_type in feature.output.keys() {
            let result = device
                .backend
                .stop_output(feature.feature_index, output_type);
            if result.is_ok() && output_type.stops_at_zero() {
                stopped(feature.feature_index, output_type);
            }
            if let Err(error) = result {
                warn!(%error, device = device.info.device_index, feature = feature.feature_index, "stop failed");
                first_error.get_or_insert(error);
            }
        }
    }
    first_error.map_or(Ok(()), |source: HardwareError| {
        Err(DeviceError::Hardware {
            device: device.info.device_index,
            source,
        })
    })
}

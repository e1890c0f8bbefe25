//! Simulated devices: they accept every command a real device would, remember what they were
//! told, and let tests (and people without hardware) watch.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use plugwire_core::sync::Mutex;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::message::{
    DeviceFeature, InputCommand, InputLimits, InputReadingValue, InputType, OutputCommand,
    OutputLimits, OutputType, Range,
};
use tokio::sync::watch;

use crate::hardware::HardwareError;
use crate::{DeviceBackend, DeviceManager, Listing};

/// How many recent commands a simulated device keeps.
const HISTORY_LIMIT: usize = 256;

/// The kinds of simulated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimulatedKind {
    /// Two vibrators (0–20) and a battery input.
    Vibrator,
    /// A linear stroker: position 0–100 reached over a duration.
    Stroker,
    /// A rotator: speed -20–20, negative turning counter-clockwise.
    Rotator,
}

impl SimulatedKind {
    /// Every kind, in the order `plugwire serve` adds them.
    pub const ALL: [SimulatedKind; 3] = [Self::Vibrator, Self::Stroker, Self::Rotator];

    /// The device name it is listed under.
    pub fn device_name(self) -> &'static str {
        match self {
            Self::Vibrator => "plugwire Simulated Vibrator",
            Self::Stroker => "plugwire Simulated Stroker",
            Self::Rotator => "plugwire Simulated Rotator",
        }
    }

    fn features(self) -> Vec<DeviceFeature> {
        match self {
            Self::Vibrator => vec![
                output_feature(
                    "Clitoral Stimulator",
                    OutputType::Vibrate,
                    Range::new(0, 20),
                    None,
                ),
                output_feature(
                    "Insertable Vibrator",
                    OutputType::Vibrate,
                    Range::new(0, 20),
                    None,
                ),
                DeviceFeature {
                    feature_index: 0,
                    feature_description: "Battery".to_owned(),
                    output: BTreeMap::new(),
                    input: BTreeMap::from([(
                        InputType::Battery,
                        InputLimits {
                            value: vec![Range::new(0, 100)],
                            command: vec![InputCommand::Read, InputCommand::Subscribe],
                        },
                    )]),
                },
            ],
            Self::Stroker => vec![output_feature(
                "Stroker",
                OutputType::HwPositionWithDuration,
                Range::new(0, 100),
                Some(Range::new(0, 100_000)),
            )],
            Self::Rotator => vec![output_feature(
                "Rotator",
                OutputType::Rotate,
                Range::new(-20, 20),
                None,
            )],
        }
    }
}

impl FromStr for SimulatedKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "vibrator" => Ok(Self::Vibrator),
            "stroker" => Ok(Self::Stroker),
            "rotator" => Ok(Self::Rotator),
            other => Err(format!(
                "unknown simulated device {other:?} (vibrator, stroker, rotator)"
            )),
        }
    }
}

fn output_feature(
    description: &str,
    output_type: OutputType,
    value: Range,
    duration: Option<Range>,
) -> DeviceFeature {
    DeviceFeature {
        feature_index: 0,
        feature_description: description.to_owned(),
        output: BTreeMap::from([(output_type, OutputLimits { value, duration })]),
        input: BTreeMap::new(),
    }
}

/// What a simulated device has been told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulatedState {
    /// Current value of each output, by feature and type (0 after a stop).
    pub outputs: BTreeMap<(u32, OutputType), i32>,
    /// Recent commands, oldest first (at most 256).
    pub history: Vec<(u32, OutputCommand)>,
    /// How many stops the device received.
    pub stops: u64,
}

impl SimulatedState {
    /// The current value of an output (0 if never set).
    pub fn output(&self, feature_index: u32, output_type: OutputType) -> i32 {
        self.outputs
            .get(&(feature_index, output_type))
            .copied()
            .unwrap_or(0)
    }

    /// Whether every output is at 0.
    pub fn is_idle(&self) -> bool {
        self.outputs.iter().all(|((_, t), v)| {
            *v == 0 || *t == OutputType::HwPositionWithDuration || *t == OutputType::Position
        })
    }
}

/// A simulated device, registered with a [`DeviceManager`].
pub struct SimulatedDevice {
    kind: SimulatedKind,
    state: watch::Sender<SimulatedState>,
    battery: AtomicI32,
    /// How long a read takes, to try an app against a slow device.
    read_latency: Mutex<Duration>,
    registration: OnceLock<(Weak<DeviceManager>, u32)>,
}

impl SimulatedDevice {
    /// Creates a device of `kind` and adds it to `manager`.
    pub fn add_to(manager: &Arc<DeviceManager>, kind: SimulatedKind) -> Arc<Self> {
        let device = Arc::new(Self {
            kind,
            state: watch::Sender::new(SimulatedState::default()),
            battery: AtomicI32::new(87),
            read_latency: Mutex::new(Duration::ZERO),
            registration: OnceLock::new(),
        });
        let features = kind
            .features()
            .into_iter()
            .zip(0u32..)
            .map(|(feature, index)| DeviceFeature {
                feature_index: index,
                ..feature
            })
            .collect();
        let listing = Listing {
            name: kind.device_name().to_owned(),
            display_name: None,
            message_gap_ms: 0,
            features,
            index: None,
        };
        let index = manager.add_device(listing, device.clone());
        let _ = device.registration.set((Arc::downgrade(manager), index));
        device
    }

    /// The kind of device.
    pub fn kind(&self) -> SimulatedKind {
        self.kind
    }

    /// The index the manager gave it.
    pub fn index(&self) -> Option<u32> {
        self.registration.get().map(|(_, index)| *index)
    }

    /// A snapshot of what it has been told.
    pub fn state(&self) -> SimulatedState {
        self.state.borrow().clone()
    }

    /// Waits until `condition` holds for the state (returns at once if it already does).
    pub async fn wait_until(
        &self,
        condition: impl FnMut(&SimulatedState) -> bool,
    ) -> SimulatedState {
        let mut watcher = self.state.subscribe();
        match watcher.wait_for(condition).await {
            Ok(state) => state.clone(),
            // The sender lives in `self`, so it cannot be gone while we borrow `self`.
            Err(_) => self.state(),
        }
    }

    /// Makes every input read take `latency`, as a slow device's would.
    pub fn set_read_latency(&self, latency: Duration) {
        *self.read_latency.lock() = latency;
    }

    /// Sets the battery level and tells subscribers.
    pub fn set_battery(&self, level: i32) {
        self.battery.store(level, Ordering::SeqCst);
        if let Some((manager, index)) = self.registration.get()
            && let Some(manager) = manager.upgrade()
        {
            let feature = 2;
            manager.report_input(
                *index,
                feature,
                InputReadingValue::new(InputType::Battery, level),
            );
        }
    }
}

impl DeviceBackend for SimulatedDevice {
    fn set_output(&self, feature_index: u32, command: OutputCommand) -> Result<(), HardwareError> {
        self.state.send_modify(|state| {
            state
                .outputs
                .insert((feature_index, command.output_type()), command.value());
            if state.history.len() == HISTORY_LIMIT {
                state.history.remove(0);
            }
            state.history.push((feature_index, command));
        });
        Ok(())
    }

    fn stop_output(
        &self,
        feature_index: u32,
        output_type: OutputType,
    ) -> Result<(), HardwareError> {
        self.state.send_modify(|state| {
            state.stops += 1;
            if let Some(value) = state.outputs.get_mut(&(feature_index, output_type))
                && output_type.stops_at_zero()
            {
                *value = 0;
            }
        });
        Ok(())
    }

    fn read_input(
        &self,
        _feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, HardwareError>> {
        let result = match input_type {
            InputType::Battery if self.kind == SimulatedKind::Vibrator => {
                Ok(self.battery.load(Ordering::SeqCst))
            }
            other => Err(HardwareError::NotReadable(other)),
        };
        let latency = *self.read_latency.lock();
        async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            result
        }
        .boxed()
    }
}

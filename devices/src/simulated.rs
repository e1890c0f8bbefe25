//! Simulated devices: they accept every command a real device would, remember what they were
//! told, say it in the log (each output change at info level, at most
//! [`LOG_LINES_PER_SECOND`] lines a second per device, so a flood does not drown the terminal),
//! and let tests (and people without hardware) watch.
//!
//! Besides plugwire's own three kinds (`vibrator`, `stroker`, `rotator`), the device
//! database's `simulated` protocol archetypes are available by their names
//! (`simulated-1vibe`, `simulated-2vibe`, `simulated-rotator`, `simulated-oscillator`,
//! `simulated-stroker`), with the names and features the database gives them.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use plugwire_core::sync::Mutex;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::message::{
    DeviceFeature, InputCommand, InputLimits, InputReadingValue, InputType, OutputCommand,
    OutputLimits, OutputType, Range,
};
use tokio::sync::watch;
use tracing::info;

use crate::backend::{Delivery, DeviceBackend};
use crate::config::DeviceConfig;
use crate::hardware::HardwareError;
use crate::{DeviceManager, Listing};

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
    /// One of the device database's `simulated` protocol archetypes.
    Archetype(Archetype),
}

/// The device database's `simulated` protocol archetypes; their names and features come from
/// the built-in database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Archetype {
    /// `simulated-1vibe`: one vibrator.
    OneVibe,
    /// `simulated-2vibe`: two vibrators.
    TwoVibe,
    /// `simulated-rotator`: one rotator.
    Rotator,
    /// `simulated-oscillator`: one oscillator.
    Oscillator,
    /// `simulated-stroker`: a linear axis (position, and position with duration).
    Stroker,
}

impl Archetype {
    /// Every archetype.
    pub const ALL: [Archetype; 5] = [
        Self::OneVibe,
        Self::TwoVibe,
        Self::Rotator,
        Self::Oscillator,
        Self::Stroker,
    ];

    /// Its identifier in the database's `simulated` protocol.
    pub fn identifier(self) -> &'static str {
        match self {
            Self::OneVibe => "simulated-1vibe",
            Self::TwoVibe => "simulated-2vibe",
            Self::Rotator => "simulated-rotator",
            Self::Oscillator => "simulated-oscillator",
            Self::Stroker => "simulated-stroker",
        }
    }

    /// Its name and features, as the built-in database describes it.
    fn definition(self) -> (String, Vec<DeviceFeature>) {
        // Parsed once: the database is large and archetypes are few.
        static BUILTIN: OnceLock<DeviceConfig> = OnceLock::new();
        let config = BUILTIN.get_or_init(DeviceConfig::builtin);
        match config.definition("simulated", self.identifier()) {
            Some(definition) => (definition.name, definition.features),
            // Only a broken build's database lacks them (tested): a bare device, not a panic.
            None => (self.identifier().to_owned(), Vec::new()),
        }
    }
}

impl SimulatedKind {
    /// Every kind, in the order `plugwire serve` adds them.
    pub const ALL: [SimulatedKind; 3] = [Self::Vibrator, Self::Stroker, Self::Rotator];

    /// The device name it is listed under.
    pub fn device_name(self) -> String {
        match self {
            Self::Vibrator => "plugwire Simulated Vibrator".to_owned(),
            Self::Stroker => "plugwire Simulated Stroker".to_owned(),
            Self::Rotator => "plugwire Simulated Rotator".to_owned(),
            Self::Archetype(archetype) => archetype.definition().0,
        }
    }

    fn features(self) -> Vec<DeviceFeature> {
        match self {
            Self::Archetype(archetype) => archetype.definition().1,
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
            other => Archetype::ALL
                .into_iter()
                .find(|archetype| archetype.identifier() == other)
                .map(Self::Archetype)
                .ok_or_else(|| {
                    let archetypes: Vec<_> = Archetype::ALL.map(Archetype::identifier).into();
                    format!(
                        "unknown simulated device {other:?} (vibrator, stroker, rotator, {})",
                        archetypes.join(", ")
                    )
                }),
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

/// At most this many lines a second per device say what it was told; the rest are counted
/// and the count given with the next line.
pub const LOG_LINES_PER_SECOND: u32 = 10;

/// Rate limit of one device's log lines.
#[derive(Debug)]
struct LogLimit {
    /// When the current second began.
    window: Instant,
    /// Lines logged in it.
    lines: u32,
    /// Changes not logged since the last line.
    unsaid: u64,
}

impl LogLimit {
    fn new() -> Self {
        Self {
            window: Instant::now(),
            lines: 0,
            unsaid: 0,
        }
    }

    /// Whether to log a change now; if so, how many went unsaid before it.
    fn admit(&mut self, now: Instant) -> Option<u64> {
        if now.duration_since(self.window) >= Duration::from_secs(1) {
            self.window = now;
            self.lines = 0;
        }
        if self.lines < LOG_LINES_PER_SECOND {
            self.lines += 1;
            Some(std::mem::take(&mut self.unsaid))
        } else {
            self.unsaid += 1;
            None
        }
    }
}

/// A simulated device, registered with a [`DeviceManager`].
pub struct SimulatedDevice {
    kind: SimulatedKind,
    name: String,
    log_limit: Mutex<LogLimit>,
    state: watch::Sender<SimulatedState>,
    battery: AtomicI32,
    /// How long a read takes, to try an app against a slow device.
    read_latency: Mutex<Duration>,
    registration: OnceLock<(Weak<DeviceManager>, u32)>,
}

impl SimulatedDevice {
    /// Creates a device of `kind` and adds it to `manager`.
    pub fn add_to(manager: &Arc<DeviceManager>, kind: SimulatedKind) -> Arc<Self> {
        let name = kind.device_name();
        let device = Arc::new(Self {
            kind,
            name: name.clone(),
            log_limit: Mutex::new(LogLimit::new()),
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
            name,
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

impl SimulatedDevice {
    /// Says in the log that an output changed, unless this device already said a lot this
    /// second.
    fn say(&self, feature: u32, output_type: OutputType, value: i32) {
        let Some(unsaid) = self.log_limit.lock().admit(Instant::now()) else {
            return;
        };
        let index = self.index();
        let name = &self.name;
        if unsaid > 0 {
            info!(
                index,
                "{name}: feature {feature} {output_type:?} {value} ({unsaid} earlier changes not shown)"
            );
        } else {
            info!(index, "{name}: feature {feature} {output_type:?} {value}");
        }
    }
}

impl DeviceBackend for SimulatedDevice {
    fn set_output(
        &self,
        feature_index: u32,
        command: OutputCommand,
    ) -> Result<Delivery, HardwareError> {
        let key = (feature_index, command.output_type());
        let mut changed = false;
        self.state.send_modify(|state| {
            changed = state.outputs.insert(key, command.value()) != Some(command.value());
            if state.history.len() == HISTORY_LIMIT {
                state.history.remove(0);
            }
            state.history.push((feature_index, command));
        });
        if changed {
            self.say(feature_index, key.1, command.value());
        }
        Ok(Delivery::done())
    }

    fn stop_output(
        &self,
        feature_index: u32,
        output_type: OutputType,
    ) -> Result<(), HardwareError> {
        let mut changed = false;
        self.state.send_modify(|state| {
            state.stops += 1;
            if let Some(value) = state.outputs.get_mut(&(feature_index, output_type))
                && output_type.stops_at_zero()
            {
                changed = *value != 0;
                *value = 0;
            }
        });
        if changed {
            self.say(feature_index, output_type, 0);
        }
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use plugwire_core::message::OutputCommand;

    use super::*;

    #[test]
    fn the_database_archetypes_are_there_by_name_beside_the_old_kinds() {
        let manager = Arc::new(DeviceManager::new());
        for name in ["vibrator", "stroker", "rotator"] {
            assert!(name.parse::<SimulatedKind>().is_ok(), "{name}");
        }
        let expected = [
            (
                "simulated-1vibe",
                "Simulated 1-Motor Vibrator",
                vec![OutputType::Vibrate],
            ),
            (
                "simulated-2vibe",
                "Simulated 2-Motor Vibrator",
                vec![OutputType::Vibrate; 2],
            ),
            (
                "simulated-rotator",
                "Simulated Rotator",
                vec![OutputType::Rotate],
            ),
            (
                "simulated-oscillator",
                "Simulated Oscillator",
                vec![OutputType::Oscillate],
            ),
            (
                "simulated-stroker",
                "Simulated Stroker",
                vec![OutputType::Position, OutputType::HwPositionWithDuration],
            ),
        ];
        for (identifier, name, outputs) in expected {
            let kind: SimulatedKind = identifier.parse().expect("an archetype");
            let device = SimulatedDevice::add_to(&manager, kind);
            let info = manager
                .device(device.index().expect("listed"))
                .expect("listed");
            assert_eq!(info.device_name, name);
            let listed: Vec<_> = info
                .device_features
                .values()
                .flat_map(|f| f.output.keys().copied())
                .collect();
            assert_eq!(listed, outputs, "{identifier}");
        }
        let refusal = "simulated-9vibe"
            .parse::<SimulatedKind>()
            .expect_err("unknown");
        assert!(refusal.contains("simulated-oscillator"), "{refusal}");
    }

    #[test]
    fn the_log_says_at_most_ten_lines_a_second_and_counts_the_rest() {
        let start = Instant::now();
        let mut limit = LogLimit::new();
        limit.window = start;
        for _ in 0..LOG_LINES_PER_SECOND {
            assert_eq!(limit.admit(start), Some(0));
        }
        for _ in 0..5 {
            assert_eq!(limit.admit(start + Duration::from_millis(500)), None);
        }
        assert_eq!(limit.admit(start + Duration::from_secs(1)), Some(5));
        assert_eq!(limit.admit(start + Duration::from_secs(1)), Some(0));
    }

    /// Collects what the log writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_output_change_is_said_at_info_level_and_repeats_are_not() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let manager = Arc::new(DeviceManager::new());
        let device = SimulatedDevice::add_to(&manager, SimulatedKind::Vibrator);
        tracing::subscriber::with_default(subscriber, || {
            let backend: &dyn DeviceBackend = &*device;
            backend
                .set_output(1, OutputCommand::new(OutputType::Vibrate, 7))
                .expect("vibrate");
            backend
                .set_output(1, OutputCommand::new(OutputType::Vibrate, 7))
                .expect("the same again");
            backend.stop_output(1, OutputType::Vibrate).expect("stop");
        });
        let text = String::from_utf8(captured.0.lock().clone()).expect("text");
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("INFO"), "{text}");
        assert!(
            lines[0].contains("plugwire Simulated Vibrator: feature 1 Vibrate 7"),
            "{text}"
        );
        assert!(lines[1].contains("feature 1 Vibrate 0"), "{text}");
    }
}

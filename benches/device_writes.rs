//! Device writes under a flood of commands, on the real clock: how soon a command after an idle
//! period reaches the toy, and, while a client sends 1,000 commands a second for two seconds,
//! how many writes are in flight at once, how many go out, how long each command waits for a
//! write carrying it (or a newer value), and how long after the last command the toy has the
//! last value (the flood lag), against the bound of one write time plus the message gap.
//!
//! The toy is a Lovense Hush (`LVS-Z36`, one vibrator, 0–20) attached through
//! `plugwire_devices::attach`, driven through `DeviceManager::set_output`:
//!
//! - on `RecordingHardware` with a 30 ms write latency (and 0 ms, the floor), wrapped to count
//!   the writes begun and not yet finished; a write is done at its recorded time;
//! - on the simulated BlueZ (plugwire-test-support, a private `dbus-daemon`) with a 30 ms
//!   `WriteValue` latency, found and attached by plugwire-ble over btleplug, as `plugwire
//!   serve` does (Linux, feature `ble`, needs `dbus-daemon`). A write begins when the
//!   `WriteValue` call reaches the simulated BlueZ, and is done when it answers, one write
//!   latency later. The program runs itself again with `DBUS_SYSTEM_BUS_ADDRESS` pointing at
//!   a private bus, as btleplug reads it when it connects.
//!
//! `cargo bench --bench device_writes` prints markdown tables and one PASS/FAIL line per check
//! (informational: the program never fails on them). `DEVICE_WRITES_SAMPLES` (idle samples, 200)
//! and `DEVICE_WRITES_FLOODS` (floods per toy, 10) change the counts; run without `--bench`
//! (`cargo test --benches`), it makes a short pass.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire::core::message::{OutputCommand, OutputType};
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use plugwire::devices::recording::RecordingHardware;
use plugwire::devices::{DeviceManager, attach};
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

/// The session the commands come from.
const SESSION: u64 = 1;
/// The toy's answer to `DeviceType;`: a Hush.
const DEVICE_TYPE: &[u8] = b"Z:11:0082059AD3BD;";
/// The toy's advertised name.
const NAME: &str = "LVS-Z36";
/// The write latency of the slow toys.
const LATENCY: Duration = Duration::from_millis(30);
/// Idle samples are this far apart: well past one write and one gap.
const IDLE_SPACING: Duration = Duration::from_millis(150);
/// Commands a second during a flood, and how long a flood lasts.
const RATE: u32 = 1_000;
const FLOOD: Duration = Duration::from_secs(2);
/// Floods are longer by up to this much, so they end at every point of the writes' rhythm
/// (one write and one gap).
const PHASES: Duration = Duration::from_millis(100);
/// The last command of every flood carries this value, which no other flood command does.
const LAST_VALUE: i32 = 20;
/// After a flood, how long the toy is left alone (every write done) before the next one.
const SETTLE: Duration = Duration::from_millis(500);
/// The longest any single write may be waited for.
const WAIT: Duration = Duration::from_secs(10);

/// One write to the toy's tx endpoint as the toy saw it.
#[derive(Debug, Clone)]
struct Span {
    begun: Instant,
    done: Instant,
    data: Vec<u8>,
}

impl Span {
    /// The vibration level it sets (`Vibrate:N;`), if it sets one.
    fn level(&self) -> Option<i32> {
        std::str::from_utf8(&self.data)
            .ok()?
            .strip_prefix("Vibrate:")?
            .strip_suffix(';')?
            .parse()
            .ok()
    }
}

/// `RecordingHardware` behind a wrapper that counts the writes begun and not yet finished, and
/// logs each write to tx with when it began and its recorded time.
struct Counted {
    inner: Arc<RecordingHardware>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    log: watch::Sender<Vec<Span>>,
}

impl Counted {
    fn new(inner: Arc<RecordingHardware>) -> Self {
        Self {
            inner,
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
            log: watch::Sender::new(Vec::new()),
        }
    }

    /// The most writes in flight at once since the last call.
    fn take_most_in_flight(&self) -> usize {
        self.most_in_flight
            .swap(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst)
    }
}

impl Hardware for Counted {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn address(&self) -> &str {
        self.inner.address()
    }

    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        self.inner.has_endpoint(endpoint)
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let begun = Instant::now();
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_flight.fetch_max(now, Ordering::SeqCst);
            let (endpoint, data) = (write.endpoint, write.data.clone());
            let result = self.inner.write(write).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if result.is_ok() && endpoint == Endpoint::Tx {
                // Its recorded time: the newest recorded write of the same bytes.
                let done = self
                    .inner
                    .writes()
                    .iter()
                    .rev()
                    .find(|w| w.write.data == data)
                    .map_or_else(Instant::now, |w| w.at);
                self.log
                    .send_modify(|log| log.push(Span { begun, done, data }));
            }
            result
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        self.inner.read(endpoint, timeout)
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        self.inner.subscribe(endpoint)
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        self.inner.unsubscribe(endpoint)
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.inner.notifications()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        self.inner.disconnected()
    }
}

/// A toy attached and ready to drive, and what it saw.
struct Toy {
    label: String,
    latency: Duration,
    devices: Arc<DeviceManager>,
    index: u32,
    gap: Duration,
    log: watch::Receiver<Vec<Span>>,
    /// The wrapper counting writes in flight, for `RecordingHardware`; otherwise the count is
    /// worked out from when each write began and was answered.
    counted: Option<Arc<Counted>>,
}

impl Toy {
    fn set(&self, level: i32) {
        self.devices
            .set_output(
                SESSION,
                self.index,
                0,
                OutputCommand::new(OutputType::Vibrate, level),
            )
            .expect("a level the Hush takes");
    }

    fn written(&self) -> usize {
        self.log.borrow().len()
    }

    /// Waits until a write after the first `seen` satisfies `matches`; returns it.
    async fn wait_for(&self, seen: usize, matches: impl Fn(&Span) -> bool) -> Span {
        let mut log = self.log.clone();
        let found = tokio::time::timeout(
            WAIT,
            log.wait_for(|log| log.iter().skip(seen).any(&matches)),
        )
        .await
        .unwrap_or_else(|_| panic!("{}: no such write within {WAIT:?}", self.label))
        .expect("the log is kept")
        .iter()
        .skip(seen)
        .find(|span| matches(span))
        .cloned();
        found.expect("the write waited for")
    }
}

/// A Lovense Hush on `RecordingHardware` taking `latency` over each write.
async fn recording_toy(latency: Duration) -> Toy {
    let recording = Arc::new(RecordingHardware::new(NAME));
    recording.reply_to(b"DeviceType;", DEVICE_TYPE);
    recording.set_write_latency(latency);
    let counted = Arc::new(Counted::new(recording));
    let devices = Arc::new(DeviceManager::new());
    let index = attach(
        &devices,
        &DeviceConfig::builtin(),
        "lovense",
        counted.clone(),
    )
    .await
    .expect("the Hush attaches");
    ready(
        format!("RecordingHardware, {} ms", latency.as_millis()),
        latency,
        devices,
        index,
        counted.log.subscribe(),
        Some(counted),
    )
}

fn ready(
    label: String,
    latency: Duration,
    devices: Arc<DeviceManager>,
    index: u32,
    log: watch::Receiver<Vec<Span>>,
    counted: Option<Arc<Counted>>,
) -> Toy {
    let gap = devices
        .device(index)
        .expect("the toy is listed")
        .device_message_timing_gap;
    Toy {
        label,
        latency,
        devices,
        index,
        gap: Duration::from_millis(u64::from(gap)),
        log,
        counted,
    }
}

/// Command → write begun and command → write done, for single commands after an idle period.
struct Idle {
    begun: Vec<Duration>,
    done: Vec<Duration>,
}

async fn idle(toy: &Toy, samples: usize) -> Idle {
    let mut figures = Idle {
        begun: Vec::new(),
        done: Vec::new(),
    };
    // A known level first, so each sample's level differs from what the toy has.
    let seen = toy.written();
    toy.set(1);
    toy.wait_for(seen, |span| span.level() == Some(1)).await;
    for sample in 0..samples {
        tokio::time::sleep(IDLE_SPACING).await;
        let level = if sample % 2 == 0 { 5 } else { 10 };
        let seen = toy.written();
        let sent = Instant::now();
        toy.set(level);
        let span = toy.wait_for(seen, |span| span.level() == Some(level)).await;
        figures.begun.push(span.begun - sent);
        figures.done.push(span.done - sent);
    }
    figures
}

/// What one flood showed.
struct Flood {
    commands: usize,
    took: Duration,
    writes: usize,
    most_in_flight: usize,
    /// Per command: to the first write that carries it or a newer value, begun and done.
    begun: Vec<Duration>,
    done: Vec<Duration>,
    /// Commands no write carried (nor a newer value).
    never_written: usize,
    /// From the last command to the write carrying its value, begun and done.
    lag_begun: Duration,
    lag_done: Duration,
}

/// A small generator of levels: 1–19, never the same twice in a row.
struct Levels(u64);

impl Levels {
    fn next(&mut self, previous: i32) -> i32 {
        loop {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let level = i32::try_from(self.0 % 19).expect("small") + 1;
            if level != previous {
                return level;
            }
        }
    }
}

/// The most writes in flight at once, from when each began and was done.
fn in_flight_of(spans: &[Span]) -> usize {
    spans
        .iter()
        .map(|span| {
            spans
                .iter()
                .filter(|other| other.begun <= span.begun && span.begun < other.done)
                .count()
        })
        .max()
        .unwrap_or(0)
}

async fn flood(toy: &Toy, count: usize, levels: &mut Levels) -> Flood {
    let seen = toy.written();
    if let Some(counted) = &toy.counted {
        counted.take_most_in_flight();
    }
    let mut commands: Vec<(Instant, i32)> = Vec::with_capacity(count);
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / RATE);
    let mut previous = 0;
    for number in 0..count {
        ticks.tick().await;
        let level = if number + 1 == count {
            LAST_VALUE
        } else {
            levels.next(previous)
        };
        previous = level;
        let sent = Instant::now();
        toy.set(level);
        commands.push((sent, level));
    }
    let (last_sent, _) = *commands.last().expect("commands were sent");
    let took = last_sent - commands[0].0;
    toy.wait_for(seen, |span| {
        span.level() == Some(LAST_VALUE) && span.begun >= last_sent
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    let spans: Vec<Span> = toy.log.borrow().iter().skip(seen).cloned().collect();
    let most_in_flight = match &toy.counted {
        Some(counted) => counted.take_most_in_flight(),
        None => in_flight_of(&spans),
    };

    // Which command each write carried: the newest one with its level sent before it began.
    let mut begun = Vec::with_capacity(count);
    let mut done = Vec::with_capacity(count);
    let mut answered = 0;
    let (mut lag_begun, mut lag_done) = (None, None);
    for span in &spans {
        let Some(level) = span.level() else { continue };
        let carried = commands
            .iter()
            .rposition(|(sent, l)| *l == level && *sent <= span.begun);
        let Some(carried) = carried else { continue };
        while answered <= carried {
            let (sent, _) = commands[answered];
            begun.push(span.begun - sent);
            done.push(span.done - sent);
            answered += 1;
        }
        if carried + 1 == count && lag_begun.is_none() {
            lag_begun = Some(span.begun - last_sent);
            lag_done = Some(span.done - last_sent);
        }
    }
    Flood {
        commands: count,
        took,
        writes: spans.len(),
        most_in_flight,
        begun,
        done,
        never_written: count - answered,
        lag_begun: lag_begun.expect("the last level was written"),
        lag_done: lag_done.expect("the last level was written"),
    }
}

/// Everything measured on one toy.
struct Measured {
    label: String,
    latency: Duration,
    gap: Duration,
    idle: Idle,
    floods: Vec<Flood>,
}

async fn measure(toy: Toy, samples: usize, floods: usize, flood_commands: usize) -> Measured {
    eprintln!("{}: {samples} idle samples", toy.label);
    let idle = idle(&toy, samples).await;
    tokio::time::sleep(SETTLE).await;
    let mut levels = Levels(0x2545_f491_4f6c_dd1d);
    let mut results = Vec::new();
    for number in 0..floods {
        eprintln!("{}: flood {} of {floods}", toy.label, number + 1);
        // Each flood a little longer than the one before, over PHASES in all: the first
        // command goes out at once and the writes then keep their own rhythm, so floods of one
        // length would all end at the same point of it.
        let extra = usize::try_from(PHASES.as_millis()).expect("small") * number / floods;
        let count = flood_commands + extra * usize::try_from(RATE).expect("small") / 1000;
        results.push(flood(&toy, count, &mut levels).await);
    }
    Measured {
        label: toy.label,
        latency: toy.latency,
        gap: toy.gap,
        idle,
        floods: results,
    }
}

/// The `q` quantile (nearest rank) of `values`.
fn quantile(values: &[Duration], q: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn p50_p99(values: &[Duration]) -> String {
    format!(
        "{} / {}",
        ms(quantile(values, 0.5)),
        ms(quantile(values, 0.99))
    )
}

fn report(measured: &[Measured]) {
    println!();
    println!(
        "Idle: one command after {} ms of quiet, per sample",
        IDLE_SPACING.as_millis()
    );
    println!();
    println!(
        "| toy | write latency (floor) | gap | samples | command → write begun, p50 / p99 (ms) | command → write done, p50 / p99 (ms) | done − floor, p50 / p99 (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for m in measured {
        let over: Vec<Duration> = m
            .idle
            .done
            .iter()
            .map(|d| d.saturating_sub(m.latency))
            .collect();
        println!(
            "| {} | {} ms | {} ms | {} | {} | {} | {} |",
            m.label,
            m.latency.as_millis(),
            m.gap.as_millis(),
            m.idle.done.len(),
            p50_p99(&m.idle.begun),
            p50_p99(&m.idle.done),
            p50_p99(&over),
        );
    }
    println!();
    println!(
        "Flood: {RATE} commands/s from a tokio interval, changing levels (1–19), the last one {LAST_VALUE}"
    );
    println!();
    println!(
        "| toy | floods | commands (duration) | writes | max in flight | command → write begun, p50 / p99 (ms) | command → write done, p50 / p99 (ms) | last command → write begun, median / max (ms) | last command → write done, median / max (ms) | bound: write + gap (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in measured {
        let floods = &m.floods;
        let commands: Vec<usize> = floods.iter().map(|f| f.commands).collect();
        let took: Vec<Duration> = floods.iter().map(|f| f.took).collect();
        let writes: Vec<usize> = floods.iter().map(|f| f.writes).collect();
        let most = floods.iter().map(|f| f.most_in_flight).max().unwrap_or(0);
        let begun: Vec<Duration> = floods.iter().flat_map(|f| f.begun.clone()).collect();
        let done: Vec<Duration> = floods.iter().flat_map(|f| f.done.clone()).collect();
        let lag_begun: Vec<Duration> = floods.iter().map(|f| f.lag_begun).collect();
        let lag_done: Vec<Duration> = floods.iter().map(|f| f.lag_done).collect();
        println!(
            "| {} | {} | {}–{} ({:.2}–{:.2} s) | {}–{} | {most} | {} | {} | {} / {} | {} / {} | {} |",
            m.label,
            floods.len(),
            commands.iter().min().unwrap_or(&0),
            commands.iter().max().unwrap_or(&0),
            quantile(&took, 0.0).as_secs_f64(),
            quantile(&took, 1.0).as_secs_f64(),
            writes.iter().min().unwrap_or(&0),
            writes.iter().max().unwrap_or(&0),
            p50_p99(&begun),
            p50_p99(&done),
            ms(quantile(&lag_begun, 0.5)),
            ms(quantile(&lag_begun, 1.0)),
            ms(quantile(&lag_done, 0.5)),
            ms(quantile(&lag_done, 1.0)),
            ms(m.latency + m.gap),
        );
    }
    println!();
    for m in measured {
        let floods = &m.floods;
        let most = floods.iter().map(|f| f.most_in_flight).max().unwrap_or(0);
        let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
        println!(
            "{}: at most one write in flight: {} (most {most})",
            m.label,
            verdict(most <= 1)
        );
        let bound = m.latency + m.gap;
        let over_done = floods.iter().filter(|f| f.lag_done > bound).count();
        let over_begun = floods.iter().filter(|f| f.lag_begun > bound).count();
        let worst = floods.iter().map(|f| f.lag_done).max().unwrap_or_default();
        println!(
            "{}: lag ≤ write time + gap ({} ms), to the write done: {} ({over_done} of {} floods over; worst {} ms); to the write begun: {} ({over_begun} over)",
            m.label,
            ms(bound),
            verdict(over_done == 0),
            floods.len(),
            ms(worst),
            verdict(over_begun == 0),
        );
        let lags: Vec<String> = floods
            .iter()
            .map(|f| format!("{}/{}", ms(f.lag_begun), ms(f.lag_done)))
            .collect();
        println!(
            "{}: each flood's lag, to the write begun/done (ms): {}",
            m.label,
            lags.join(", ")
        );
        let unwritten: usize = floods.iter().map(|f| f.never_written).sum();
        if unwritten > 0 {
            println!("{}: {unwritten} commands never written", m.label);
        }
    }
}

fn count_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    #[cfg(all(target_os = "linux", feature = "ble"))]
    let bus = bluetooth::private_system_bus();
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`), a short pass.
    let full = std::env::args().any(|arg| arg == "--bench");
    let samples = count_from_env("DEVICE_WRITES_SAMPLES", if full { 200 } else { 5 });
    let floods = count_from_env("DEVICE_WRITES_FLOODS", if full { 10 } else { 1 });
    // A short pass floods for a fifth of a second.
    let flood_commands = usize::try_from(u64::from(RATE) * FLOOD.as_secs()).expect("small")
        / if full { 1 } else { 10 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let measured = runtime.block_on(async {
        let mut measured = Vec::new();
        for latency in [Duration::ZERO, LATENCY] {
            let toy = recording_toy(latency).await;
            measured.push(measure(toy, samples, floods, flood_commands).await);
        }
        #[cfg(all(target_os = "linux", feature = "ble"))]
        match bus {
            Some(bus) => {
                let (toy, _bluez) = bluetooth::toy(&bus, LATENCY).await;
                measured.push(measure(toy, samples, floods, flood_commands).await);
            }
            None => eprintln!("no private system bus: the simulated BlueZ is left out"),
        }
        measured
    });
    report(&measured);
    println!();
    println!(
        "{} CPU cores; real clock; tokio's timer ticks in whole milliseconds.",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
}

/// The simulated BlueZ, reached through plugwire-ble as `plugwire serve` reaches a real one.
#[cfg(all(target_os = "linux", feature = "ble"))]
mod bluetooth {
    use std::process::Command;
    use std::sync::Arc;
    use std::time::Duration;

    use plugwire::ble::{BleManager, BleOptions};
    use plugwire::devices::config::DeviceConfig;
    use plugwire::devices::hardware::HardwareManager;
    use plugwire::devices::{DeviceEvent, DeviceManager};
    use plugwire_test_support::bluez::{
        CHILD_BUS, Faults, PeripheralSpec, PrivateBus, SimulatedBluez,
    };
    use tokio::sync::watch;
    use tokio::task::JoinHandle;
    use tokio::time::Instant;

    use super::{DEVICE_TYPE, NAME, Span, Toy, WAIT, ready};

    const ADDRESS: &str = "C4:4F:33:00:00:01";

    /// In the run with a private system bus, its address. Otherwise starts one and runs this
    /// program again pointing at it, then exits as it did; `None` when no bus can be started
    /// (no `dbus-daemon`): the Bluetooth toy is left out.
    pub(super) fn private_system_bus() -> Option<String> {
        if let Ok(address) = std::env::var(CHILD_BUS)
            && std::env::var("DBUS_SYSTEM_BUS_ADDRESS").as_deref() == Ok(address.as_str())
        {
            return Some(address);
        }
        let bus = match PrivateBus::start() {
            Ok(bus) => bus,
            Err(error) => {
                eprintln!("no private dbus-daemon ({error})");
                return None;
            }
        };
        let status = Command::new(std::env::current_exe().expect("this program's path"))
            .args(std::env::args_os().skip(1))
            .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
            .env(CHILD_BUS, bus.address())
            .status()
            .expect("run this program again");
        drop(bus);
        std::process::exit(status.code().unwrap_or(1));
    }

    /// Stops stamping writes when dropped (with the simulated BlueZ).
    pub(super) struct Running {
        stamper: JoinHandle<()>,
        _ble: Arc<BleManager>,
        _bluez: Arc<SimulatedBluez>,
    }

    impl Drop for Running {
        fn drop(&mut self) {
            self.stamper.abort();
        }
    }

    /// A Hush on the simulated BlueZ answering each `WriteValue` `latency` late, found while
    /// scanning and attached by plugwire-ble.
    pub(super) async fn toy(bus: &str, latency: Duration) -> (Toy, Running) {
        let bluez = Arc::new(
            SimulatedBluez::on_bus(bus)
                .await
                .expect("a simulated BlueZ on the private bus"),
        );
        let config = DeviceConfig::builtin();
        let spec = PeripheralSpec::lovense(
            &config,
            NAME,
            ADDRESS,
            std::str::from_utf8(DEVICE_TYPE).expect("text"),
        )
        .with_faults(Faults {
            write_latency: latency,
            ..Faults::default()
        });
        let tx = spec.endpoint("tx").expect("Lovense has tx");
        bluez.add(spec);

        // Each WriteValue to tx, stamped when the simulated BlueZ has taken the call.
        let log = watch::Sender::new(Vec::<Span>::new());
        let receiver = log.subscribe();
        let stamper = tokio::spawn({
            let bluez = bluez.clone();
            async move {
                let mut seen = 0;
                loop {
                    let writes = bluez
                        .wait_until(Duration::from_secs(3600), |bluez| {
                            let writes = bluez.writes(ADDRESS, tx);
                            (writes.len() > seen).then_some(writes)
                        })
                        .await;
                    let Ok(writes) = writes else { continue };
                    let begun = Instant::now();
                    log.send_modify(|log| {
                        log.extend(writes[seen..].iter().map(|write| Span {
                            begun,
                            done: begun + latency,
                            data: write.data.clone(),
                        }));
                    });
                    seen = writes.len();
                }
            }
        });

        let devices = Arc::new(DeviceManager::new());
        let mut events = devices.subscribe();
        let options = BleOptions {
            start_timeout: Duration::from_secs(5),
            call_timeout: Duration::from_secs(5),
        };
        let ble = BleManager::start(devices.clone(), Arc::new(config), options)
            .await
            .expect("plugwire-ble reaches the simulated BlueZ");
        ble.start_scanning().await.expect("scanning");
        let index = tokio::time::timeout(WAIT, async {
            loop {
                if let Ok(DeviceEvent::Added(info)) = events.recv().await {
                    return info.device_index;
                }
            }
        })
        .await
        .expect("the Hush is found and attached");
        ble.stop_scanning().await.expect("scanning stops");
        let toy = ready(
            format!("simulated BlueZ, {} ms", latency.as_millis()),
            latency,
            devices,
            index,
            receiver,
            None,
        );
        (
            toy,
            Running {
                stamper,
                _ble: ble,
                _bluez: bluez,
            },
        )
    }
}

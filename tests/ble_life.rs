//! A Bluetooth LE toy's life, end to end over the real btleplug path: a simulated BlueZ
//! (plugwire-test-support's `bluez`, on a private dbus-daemon) serves a Lovense Hush,
//! `plugwire serve --use-bluetooth-le` reaches it through `DBUS_SYSTEM_BUS_ADDRESS`, and the
//! published Buttplug Rust client scans, sees it listed under the database's name and
//! features, drives it (the exact bytes arrive at the tx characteristic), reads its battery,
//! and is told within a second when the toy is switched off. Also: toys coming back (with and
//! without `--ble-reconnect-known`), the adapter powered off and on or plugged in after
//! start-up, BlueZ restarting, a hung Connect, eight toys at once.

#![cfg(all(
    target_os = "linux",
    feature = "ble",
    feature = "cli",
    feature = "websocket",
    feature = "json"
))]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use buttplug::ButtplugWebsocketClientTransport;
use buttplug::connector::ButtplugRemoteClientConnector;
use buttplug::device::{ClientDeviceCommandValue, ClientDeviceOutputCommand};
use buttplug::serializer::ButtplugClientJSONSerializer;
use buttplug::{ButtplugClient, ButtplugClientDevice, ButtplugClientEvent};
use common::within;
use futures::{Stream, StreamExt};
use plugwire::devices::config::DeviceConfig;
use plugwire_test_support::bluez::{Faults, Operation, PeripheralSpec, SimulatedBluez, WriteKind};
use tokio::sync::{mpsc, watch};

const ADDRESS: &str = "C4:4F:33:12:34:56";
/// A Hush answering `DeviceType;`.
const DEVICE_TYPE: &str = "Z:11:0082059AD3BD;";
/// The limit on each wait for the toy (connecting and identifying take a few calls).
const WAIT: Duration = Duration::from_secs(10);

/// `plugwire serve --use-bluetooth-le` with its system bus at the simulated BlueZ, killed on
/// drop; its log lines are kept, to show when a step fails.
struct Serve {
    child: Child,
    url: String,
    log: Arc<std::sync::Mutex<Vec<String>>>,
    /// How many lines the log has, for waiting on one.
    lines: watch::Receiver<usize>,
    ready: mpsc::UnboundedReceiver<()>,
}

impl Serve {
    fn start(system_bus: &str) -> Self {
        Self::start_with(system_bus, &[])
    }

    /// With more flags.
    fn start_with(system_bus: &str, flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plugwire"))
            .args(["serve", "--websocket-port", "0", "--no-simulated-devices"])
            .args(["--use-bluetooth-le", "--log", "info"])
            .args(flags)
            .env("DBUS_SYSTEM_BUS_ADDRESS", system_bus)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start plugwire serve");
        let log: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let (ready_tx, ready) = mpsc::unbounded_channel();
        let (count, lines) = watch::channel(0);
        let stderr = child.stderr.take().expect("piped");
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let said = line.contains("Bluetooth LE ready")
                    || line.contains("Bluetooth LE unavailable");
                let mut kept = kept.lock().expect("the log");
                kept.push(line);
                count.send_replace(kept.len());
                drop(kept);
                if said {
                    let _ = ready_tx.send(());
                }
            }
        });
        let stdout = child.stdout.take().expect("piped");
        let (url_tx, url) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("plugwire listening on ") {
                    let _ = url_tx.send(url.trim().to_owned());
                }
            }
        });
        let url = url
            .recv_timeout(Duration::from_secs(20))
            .expect("plugwire serve prints where it listens");
        Self {
            child,
            url,
            log,
            lines,
            ready,
        }
    }

    fn log(&self) -> String {
        self.log.lock().expect("the log").join("\n")
    }

    /// Waits until a line of the log contains `needle`.
    async fn logged(&self, needle: &str) {
        let mut lines = self.lines.clone();
        let found = tokio::time::timeout(
            WAIT,
            lines.wait_for(|_| {
                self.log
                    .lock()
                    .expect("the log")
                    .iter()
                    .any(|l| l.contains(needle))
            }),
        )
        .await;
        assert!(
            matches!(found, Ok(Ok(_))),
            "no log line with {needle:?}:\n{}",
            self.log()
        );
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("plugwire serve said:\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn next_added(
    events: &mut (impl Stream<Item = ButtplugClientEvent> + Unpin),
) -> ButtplugClientDevice {
    loop {
        match events.next().await.expect("client events") {
            ButtplugClientEvent::DeviceAdded(device) => return device,
            _ => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lovense_is_found_identified_driven_read_and_gone_when_switched_off() {
    let config = DeviceConfig::builtin();
    let hush = PeripheralSpec::lovense(&config, "LVS-Hush", ADDRESS, DEVICE_TYPE);
    let (tx, rx) = (
        hush.endpoint("tx").expect("tx"),
        hush.endpoint("rx").expect("rx"),
    );
    let hush = hush.with_reply(tx, b"Battery;", rx, b"85;");
    let model = config
        .definition("lovense", "Z")
        .expect("the database knows the Hush");

    let sim = SimulatedBluez::start()
        .await
        .expect("a simulated BlueZ on a private bus");
    let mut serve = Serve::start(sim.address());
    within(async {
        serve.ready.recv().await;
        assert!(
            serve.log().contains("Bluetooth LE ready"),
            "{}",
            serve.log()
        );
        sim.add(hush);

        let client = ButtplugClient::new("ble life");
        let mut events = client.event_stream();
        client
            .connect(ButtplugRemoteClientConnector::<
                _,
                ButtplugClientJSONSerializer,
            >::new(
                ButtplugWebsocketClientTransport::new_insecure_connector(&serve.url),
            ))
            .await
            .expect("handshake with plugwire");
        client.start_scanning().await.expect("scan");

        // Found, connected, identified, listed under the database's name and features.
        let toy = tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the toy is listed");
        assert_eq!(toy.name(), &model.name);
        assert_eq!(toy.device_features().len(), model.features.len());
        let features = format!(
            "{:?}",
            toy.device_features()
                .values()
                .map(|f| f.feature())
                .collect::<Vec<_>>()
        );
        assert!(features.contains("Vibrate"), "{features}");
        assert!(features.contains("Battery"), "{features}");
        assert!(sim.is_connected(ADDRESS));
        assert!(sim.is_notifying(ADDRESS, rx));
        let identified = sim.operations(ADDRESS);
        assert_eq!(
            identified[..2],
            [
                Operation::Subscribe { characteristic: rx },
                Operation::Write {
                    characteristic: tx,
                    data: b"DeviceType;".to_vec(),
                    kind: WriteKind::Command,
                },
            ],
            "{identified:?}"
        );
        client.stop_scanning().await.expect("stop scanning");

        // Driven: the exact bytes on the tx characteristic.
        toy.run_output(&ClientDeviceOutputCommand::Vibrate(
            ClientDeviceCommandValue::Percent(0.5),
        ))
        .await
        .expect("vibrate");
        sim.wait_for(WAIT, |sim| {
            sim.writes(ADDRESS, tx)
                .iter()
                .any(|w| w.data == b"Vibrate:10;" && w.kind == WriteKind::Command)
        })
        .await
        .expect("Vibrate:10; written to tx");

        // The battery, asked with Battery; and answered on rx.
        assert_eq!(toy.battery().await.expect("battery"), 85);

        // Switched off: Connected goes false, then BlueZ drops the object; the client hears
        // within a second.
        let off = Instant::now();
        sim.switch_off(ADDRESS);
        let removed = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                if let ButtplugClientEvent::DeviceRemoved(device) =
                    events.next().await.expect("client events")
                {
                    return device;
                }
            }
        })
        .await
        .expect("DeviceRemoved within a second of switching off");
        assert_eq!(removed.name(), &model.name);
        let took = off.elapsed();
        sim.remove(ADDRESS);
        assert!(!sim.is_exported(ADDRESS));
        client.disconnect().await.expect("disconnect");
        println!("DeviceRemoved {took:?} after switching off");
    })
    .await;
}

/// A client connected to `plugwire serve` with Bluetooth LE ready.
async fn connected_client(serve: &mut Serve) -> ButtplugClient {
    serve.ready.recv().await;
    assert!(
        serve.log().contains("Bluetooth LE ready"),
        "{}",
        serve.log()
    );
    client_of(serve).await
}

/// A client connected to `plugwire serve`, Bluetooth ready or not.
async fn client_of(serve: &Serve) -> ButtplugClient {
    let client = ButtplugClient::new("ble life");
    client
        .connect(ButtplugRemoteClientConnector::<
            _,
            ButtplugClientJSONSerializer,
        >::new(
            ButtplugWebsocketClientTransport::new_insecure_connector(&serve.url),
        ))
        .await
        .expect("handshake with plugwire");
    client
}

async fn next_removed(events: &mut (impl Stream<Item = ButtplugClientEvent> + Unpin)) {
    loop {
        if let ButtplugClientEvent::DeviceRemoved(_) = events.next().await.expect("client events") {
            return;
        }
    }
}

fn hush(config: &DeviceConfig, address: &str) -> PeripheralSpec {
    PeripheralSpec::lovense(config, "LVS-Hush", address, DEVICE_TYPE)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_toy_switched_off_and_on_again_is_found_again() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(hush(&config, ADDRESS));
        client.start_scanning().await.expect("scan");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed");
        client.stop_scanning().await.expect("stop scanning");

        // Off: BlueZ keeps the object (a temporary device stays for a while).
        sim.switch_off(ADDRESS);
        tokio::time::timeout(WAIT, next_removed(&mut events))
            .await
            .expect("removed");
        assert!(sim.is_exported(ADDRESS));

        // On again, and the client scans: BlueZ reports the kept object's advertisements
        // (its RSSI), not a new object.
        sim.switch_on(ADDRESS);
        client.start_scanning().await.expect("scan again");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed again");
        assert_eq!(sim.connections(ADDRESS), 2);
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_adapter_powered_off_and_on_finds_its_toys_again() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(hush(&config, ADDRESS));
        client.start_scanning().await.expect("scan");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed");
        client.stop_scanning().await.expect("stop scanning");
        sim.wait_for(WAIT, |sim| !sim.is_discovering())
            .await
            .expect("discovery stopped");

        sim.set_powered(false);
        tokio::time::timeout(WAIT, next_removed(&mut events))
            .await
            .expect("removed");

        // Scanning powers the adapter on again (as btleplug asks BlueZ to) and finds the toy.
        client.start_scanning().await.expect("scan again");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed again");
        assert!(sim.is_powered());
        assert_eq!(sim.connections(ADDRESS), 2);
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

/// Lists the toy at `address` (scanning until it is), returning the client's device.
async fn scan_until_listed(
    client: &ButtplugClient,
    events: &mut (impl Stream<Item = ButtplugClientEvent> + Unpin),
) -> ButtplugClientDevice {
    client.start_scanning().await.expect("scan");
    let toy = tokio::time::timeout(WAIT, next_added(events))
        .await
        .expect("listed");
    client.stop_scanning().await.expect("stop scanning");
    toy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bluez_restarting_drops_the_toy_and_a_scan_finds_it_again() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(hush(&config, ADDRESS));
        scan_until_listed(&client, &mut events).await;
        sim.wait_for(WAIT, |sim| !sim.is_discovering())
            .await
            .expect("discovery stopped");

        // BlueZ goes away without a signal and comes back knowing nothing.
        sim.restart().await.expect("BlueZ back on the bus");
        assert!(!sim.is_connected(ADDRESS));

        // The next scan sees the toy's object appear anew: the stale device is removed and
        // the toy attached again.
        client
            .start_scanning()
            .await
            .expect("scan after the restart");
        // One device list may carry both changes; the client tells them in either order.
        let (mut removed, mut added) = (false, false);
        while !(removed && added) {
            match tokio::time::timeout(WAIT, events.next())
                .await
                .expect("the stale device removed and the toy listed again")
                .expect("client events")
            {
                ButtplugClientEvent::DeviceRemoved(_) => removed = true,
                ButtplugClientEvent::DeviceAdded(_) => added = true,
                _ => {}
            }
        }
        assert!(sim.is_connected(ADDRESS));
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_that_never_answers_is_given_up_and_tried_again_later() {
    const STUCK: &str = "C4:4F:33:00:00:01";
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(
            hush(&config, STUCK)
                .with_faults(Faults {
                    connect_hangs: true,
                    ..Faults::default()
                })
                .advertising_every(Duration::from_millis(100)),
        );
        sim.add(hush(&config, ADDRESS));
        client.start_scanning().await.expect("scan");

        // The stuck toy holds nothing up: the other is listed meanwhile.
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the other toy is listed");
        assert!(sim.is_connected(ADDRESS));
        assert!(!sim.is_connected(STUCK));

        // plugwire gives the stuck Connect up (its call limit, 5 s) and cancels it; once the
        // toy answers again, one of its next advertisements is attached.
        sim.set_faults(STUCK, Faults::default());
        sim.wait_for(Duration::from_secs(8), |sim| sim.is_connected(STUCK))
            .await
            .expect("the toy is attached once it answers");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the stuck toy is listed at last");
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_toys_at_once_each_get_their_own_bytes() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    let addresses: Vec<String> = (1..=8).map(|n| format!("C4:4F:33:00:01:{n:02X}")).collect();
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        client.start_scanning().await.expect("scan");
        for address in &addresses {
            sim.add(hush(&config, address));
        }
        let mut toys = Vec::new();
        while toys.len() < addresses.len() {
            toys.push(
                tokio::time::timeout(WAIT, next_added(&mut events))
                    .await
                    .expect("all eight listed"),
            );
        }
        client.stop_scanning().await.expect("stop scanning");
        // Each toy's index says which it is only through the order of attaching, so each is
        // driven at its own level and the bytes are looked for on every toy.
        for (level, toy) in toys.iter().enumerate() {
            toy.run_output(&ClientDeviceOutputCommand::Vibrate(
                ClientDeviceCommandValue::Steps(level as i32 + 1),
            ))
            .await
            .expect("vibrate");
        }
        let tx = hush(&config, ADDRESS).endpoint("tx").expect("tx");
        let mut levels = sim
            .wait_until(WAIT, |sim| {
                let levels: Vec<String> = addresses
                    .iter()
                    .filter_map(|address| {
                        sim.writes(address, tx)
                            .into_iter()
                            .map(|w| String::from_utf8_lossy(&w.data).into_owned())
                            .find(|w| w.starts_with("Vibrate:"))
                    })
                    .collect();
                (levels.len() == addresses.len()).then_some(levels)
            })
            .await
            .expect("every toy is driven");
        levels.sort_by_key(|l| {
            l.trim_start_matches("Vibrate:")
                .trim_end_matches(';')
                .parse::<u32>()
                .unwrap_or(0)
        });
        let expected: Vec<String> = (1..=8).map(|n| format!("Vibrate:{n};")).collect();
        assert_eq!(levels, expected);
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ending_stops_its_toy_over_bluetooth() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(hush(&config, ADDRESS));
        let toy = scan_until_listed(&client, &mut events).await;
        let tx = hush(&config, ADDRESS).endpoint("tx").expect("tx");
        toy.run_output(&ClientDeviceOutputCommand::Vibrate(
            ClientDeviceCommandValue::Percent(1.0),
        ))
        .await
        .expect("vibrate");
        sim.wait_for(WAIT, |sim| {
            sim.writes(ADDRESS, tx)
                .iter()
                .any(|w| w.data == b"Vibrate:20;")
        })
        .await
        .expect("Vibrate:20;");
        client.disconnect().await.expect("disconnect");
        sim.wait_for(WAIT, |sim| {
            sim.writes(ADDRESS, tx)
                .last()
                .is_some_and(|w| w.data == b"Vibrate:0;")
        })
        .await
        .expect("the session's end stops the toy: Vibrate:0;");
    })
    .await;
}

/// A Hush attached, switched off and removed; the client that listed it, and its events.
async fn attached_then_switched_off(
    sim: &SimulatedBluez,
    serve: &mut Serve,
) -> (
    ButtplugClient,
    impl Stream<Item = ButtplugClientEvent> + Unpin + use<>,
) {
    let config = DeviceConfig::builtin();
    let client = connected_client(serve).await;
    let mut events = client.event_stream();
    sim.add(hush(&config, ADDRESS));
    scan_until_listed(&client, &mut events).await;
    sim.wait_for(WAIT, |sim| !sim.is_discovering())
        .await
        .expect("discovery stopped with the client's scan");
    sim.switch_off(ADDRESS);
    tokio::time::timeout(WAIT, next_removed(&mut events))
        .await
        .expect("removed");
    (client, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ble_reconnect_known_a_toy_that_comes_back_is_attached_again_without_a_scan() {
    const STRANGER: &str = "C4:4F:33:00:00:09";
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start_with(sim.address(), &["--ble-reconnect-known"]);
    within(async {
        let (client, mut events) = attached_then_switched_off(&sim, &mut serve).await;

        // The known toy is away: plugwire looks for it on its own.
        sim.wait_for(WAIT, SimulatedBluez::is_discovering)
            .await
            .expect("plugwire discovers while a known toy is away");
        serve.logged("looking for known Bluetooth devices").await;
        // A toy plugwire never attached is seen now, but no client scans: left alone.
        sim.add(hush(&config, STRANGER));
        sim.switch_on(ADDRESS);
        let back = tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the known toy is listed again without a scan");
        assert_eq!(
            back.name(),
            &config.definition("lovense", "Z").expect("Hush").name
        );
        assert_eq!(sim.connections(ADDRESS), 2);
        assert_eq!(
            sim.connections(STRANGER),
            0,
            "a stranger is attached only when a client scans"
        );
        // Nothing is away any more: plugwire stops discovering.
        sim.wait_for(WAIT, |sim| !sim.is_discovering())
            .await
            .expect("discovery stops once the toy is back");

        // A client's scan meanwhile works as ever, and attaches the stranger.
        client.start_scanning().await.expect("scan");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the stranger is listed when a client scans");
        client.stop_scanning().await.expect("stop scanning");
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_ble_reconnect_known_a_toy_that_comes_back_waits_for_a_scan() {
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let (client, mut events) = attached_then_switched_off(&sim, &mut serve).await;
        sim.switch_on(ADDRESS);
        // plugwire does not look on its own: no discovery starts (given a second to), so
        // nothing reports the toy and it stays unattached.
        assert!(
            sim.wait_for(Duration::from_secs(1), SimulatedBluez::is_discovering)
                .await
                .is_err(),
            "plugwire discovered with no client scanning"
        );
        assert_eq!(sim.connections(ADDRESS), 1);
        // A client's scan finds it.
        client.start_scanning().await.expect("scan");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed again once a client scans");
        assert_eq!(sim.connections(ADDRESS), 2);
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adapter_plugged_in_after_start_up_is_used() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start_without_adapter()
        .await
        .expect("a simulated BlueZ with no adapter");
    let serve = Serve::start(sim.address());
    within(async {
        serve.logged("no Bluetooth adapter yet").await;
        // A client scans before there is an adapter: the scan starts once there is one.
        let client = client_of(&serve).await;
        let mut events = client.event_stream();
        client.start_scanning().await.expect("scan");
        sim.add(hush(&config, ADDRESS));
        assert!(!sim.is_exported(ADDRESS));
        sim.add_adapter();
        let toy = tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("the toy is listed once the adapter is plugged in");
        assert_eq!(
            toy.name(),
            &config.definition("lovense", "Z").expect("Hush").name
        );
        serve.logged("Bluetooth LE ready").await;
        assert!(sim.is_discovering());
        client.stop_scanning().await.expect("stop scanning");
        sim.wait_for(WAIT, |sim| !sim.is_discovering())
            .await
            .expect("the scan stops");
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_under_way_resumes_when_the_adapter_is_powered_again() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let client = connected_client(&mut serve).await;
        let mut events = client.event_stream();
        sim.add(hush(&config, ADDRESS));
        client.start_scanning().await.expect("scan");
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed");

        // Someone switches Bluetooth off and on while the client still scans: BlueZ ends the
        // discovery with the power; plugwire starts it again once the adapter is powered, and
        // finds the toy.
        sim.set_powered(false);
        tokio::time::timeout(WAIT, next_removed(&mut events))
            .await
            .expect("removed");
        assert!(!sim.is_discovering());
        sim.set_powered(true);
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("listed again without a new scan request");
        assert!(sim.is_discovering());
        assert_eq!(sim.connections(ADDRESS), 2);
        client.stop_scanning().await.expect("stop scanning");
        client.disconnect().await.expect("disconnect");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_scan_request_while_scanning_keeps_scanning() {
    let config = DeviceConfig::builtin();
    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    let mut serve = Serve::start(sim.address());
    within(async {
        let first = connected_client(&mut serve).await;
        let second = client_of(&serve).await;
        let mut events = first.event_stream();
        // BlueZ refuses a client's second StartDiscovery (`InProgress`), as the simulation
        // does: plugwire must not take that for a failed scan.
        first.start_scanning().await.expect("scan");
        second.start_scanning().await.expect("scan again");
        sim.add(hush(&config, ADDRESS));
        tokio::time::timeout(WAIT, next_added(&mut events))
            .await
            .expect("a toy that appears is listed");
        assert_eq!(sim.discovery_sessions(), 1);
        assert!(
            !serve.log().contains("could not start scanning"),
            "{}",
            serve.log()
        );
        first.stop_scanning().await.expect("stop scanning");
        sim.wait_for(WAIT, |sim| !sim.is_discovering())
            .await
            .expect("discovery stops");
        first.disconnect().await.expect("disconnect");
        second.disconnect().await.expect("disconnect");
    })
    .await;
}

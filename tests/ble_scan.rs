//! `plugwire scan` against the simulated BlueZ: every advertising device is listed with what
//! `serve` would do with it (a Lovense drivable, an unknown name, a protocol without a driver,
//! a toy the user configuration denies), and with no adapter or no BlueZ it fails at once
//! with a clear message.

#![cfg(all(target_os = "linux", feature = "ble", feature = "cli"))]

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::within;
use plugwire::devices::config::{Advertisement, DeviceConfig};
use plugwire::devices::protocols;
use plugwire_test_support::bluez::{PeripheralSpec, PrivateBus, SimulatedBluez};

const LOVENSE: &str = "C4:4F:33:00:00:01";
const UNKNOWN: &str = "C4:4F:33:00:00:02";
const NO_DRIVER: &str = "C4:4F:33:00:00:03";
const DENIED: &str = "C4:4F:33:00:00:04";
/// A name the database gives a Bluetooth protocol plugwire has no driver for.
const UNDRIVEN_NAME: &str = "WB-TDD";
const UNDRIVEN_PROTOCOL: &str = "muse";
/// The limit on one run of `plugwire scan` beyond its scan.
const SLACK: Duration = Duration::from_secs(10);

/// Runs `plugwire scan` with its system bus at `bus`, killed if it outlives `limit`.
async fn scan(bus: &str, args: &[&str], limit: Duration) -> Output {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plugwire"))
        .arg("scan")
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(limit, child)
        .await
        .expect("plugwire scan finishes in time")
        .expect("run plugwire scan")
}

/// The line for `address`.
fn line_for<'a>(stdout: &'a str, address: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.contains(address))
        .unwrap_or_else(|| panic!("no line for {address}:\n{stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_advertising_device_is_listed_with_what_plugwire_would_do() {
    let config = DeviceConfig::builtin();
    // The undriven protocol must stay undriven for this test to say anything.
    let claimed = config.match_advertisement(&Advertisement {
        name: UNDRIVEN_NAME.to_owned(),
        ..Advertisement::default()
    });
    assert_eq!(
        claimed.map(|(protocol, _)| protocol),
        Some(UNDRIVEN_PROTOCOL)
    );
    assert!(
        !protocols::is_implemented(UNDRIVEN_PROTOCOL),
        "{UNDRIVEN_PROTOCOL} has a driver now: pick another undriven Bluetooth protocol"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let user = dir.path().join("user.json");
    std::fs::write(
        &user,
        format!(
            r#"{{"version":{{"major":4,"minor":0}},"user_configs":{{"devices":[
                {{"identifier":{{"address":"{DENIED}","protocol":"lovense"}},
                  "config":{{"id":"deny","base_id":"deny",
                    "user_config":{{"allow":false,"deny":true,"index":0}}}}}}]}}}}"#
        ),
    )
    .expect("write the user configuration");

    let sim = SimulatedBluez::start().await.expect("a simulated BlueZ");
    sim.add(PeripheralSpec::lovense(
        &config,
        "LVS-Hush",
        LOVENSE,
        "Z:11:0082059AD3BD;",
    ));
    sim.add(PeripheralSpec::new("Kitchen Scale", UNKNOWN));
    sim.add(
        PeripheralSpec::from_database(&config, UNDRIVEN_NAME, NO_DRIVER)
            .expect("the database claims the name"),
    );
    sim.add(PeripheralSpec::lovense(
        &config,
        "LVS-Edge",
        DENIED,
        "P:11:0082059AD3BD;",
    ));
    within(async {
        let started = Instant::now();
        let output = scan(
            sim.address(),
            &[
                "--seconds",
                "1",
                "--user-device-config-file",
                &user.display().to_string(),
            ],
            Duration::from_secs(1) + SLACK,
        )
        .await;
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        println!("{stdout}");
        assert_eq!(stdout.lines().count(), 4, "{stdout}");
        assert_eq!(
            line_for(&stdout, LOVENSE),
            format!("LVS-Hush\t{LOVENSE}\t-52 dBm\tLovense Device (lovense): drivable")
        );
        assert_eq!(
            line_for(&stdout, UNKNOWN),
            format!("Kitchen Scale\t{UNKNOWN}\t-52 dBm\tunknown name: matches no protocol")
        );
        let undriven = line_for(&stdout, NO_DRIVER);
        assert!(
            undriven.starts_with(&format!("{UNDRIVEN_NAME}\t{NO_DRIVER}\t-52 dBm\t")),
            "{undriven}"
        );
        assert!(
            undriven.ends_with(&format!(
                "({UNDRIVEN_PROTOCOL}): protocol {UNDRIVEN_PROTOCOL} has no driver"
            )),
            "{undriven}"
        );
        assert_eq!(
            line_for(&stdout, DENIED),
            format!(
                "LVS-Edge\t{DENIED}\t-52 dBm\tLovense Device (lovense): denied by the user \
                 configuration"
            )
        );
        // Nothing was connected, and the scan was stopped.
        for address in [LOVENSE, UNKNOWN, NO_DRIVER, DENIED] {
            assert_eq!(sim.connections(address), 0, "{address}");
        }
        assert_eq!(sim.discovery_sessions(), 0);
        println!("plugwire scan --seconds 1 took {took:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_adapter_is_a_clear_error_at_once() {
    let sim = SimulatedBluez::start_without_adapter()
        .await
        .expect("a simulated BlueZ");
    within(async {
        let started = Instant::now();
        let output = scan(sim.address(), &["--seconds", "30"], SLACK).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(output.stdout.is_empty());
        assert!(
            stderr.contains("Bluetooth LE unavailable: no Bluetooth adapter found"),
            "{stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{stderr}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_bluez_or_no_system_bus_is_a_clear_error_at_once() {
    // A system bus with nobody owning org.bluez, and no system bus at all.
    let bus = PrivateBus::start().expect("a private dbus-daemon");
    within(async {
        for address in [bus.address(), "unix:path=/nonexistent/plugwire-test-bus"] {
            let started = Instant::now();
            let output = scan(address, &["--seconds", "30"], SLACK).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success());
            assert!(stderr.contains("Bluetooth LE unavailable"), "{stderr}");
            assert!(started.elapsed() < Duration::from_secs(5), "{stderr}");
            println!("{address}: {stderr}");
        }
    })
    .await;
}

//! Device-test cases played over Bluetooth: the runner's over-Bluetooth mode, where each case
//! device is a peripheral of the simulated BlueZ and plugwire-ble (btleplug over D-Bus) finds,
//! connects, identifies and drives it; the bytes compared are the characteristics'
//! `WriteValue` calls. One model each of a few protocol families: Lovense (identified by a
//! notified answer, battery by notification), a single-packet vibrator (Magic Motion), and one
//! whose battery is a characteristic read (Kiiroo v2.1).
//!
//! btleplug finds the system bus through `DBUS_SYSTEM_BUS_ADDRESS`, so the test reruns itself
//! with that set to a private bus.

#![cfg(all(target_os = "linux", feature = "ble"))]

use std::path::PathBuf;
use std::time::Duration;

use plugwire_test_support::bluez::{SimulatedBluez, rerun_with_private_system_bus};
use plugwire_test_support::device_cases::run_file_over_bluetooth;

const CASES: [&str; 3] = [
    "plugwire_lovense_lush.yaml",
    "plugwire_magic_motion_1.yaml",
    "plugwire_kiiroo_v21_pearl_battery.yaml",
];

fn cases_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/devices/tests/device_cases"
    ))
}

#[test]
fn cases_over_bluetooth() {
    let Some(bus) = rerun_with_private_system_bus("cases_over_bluetooth") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(40), async {
            let sim = SimulatedBluez::on_bus(&bus)
                .await
                .expect("a simulated BlueZ on the private bus");
            let mut failures = Vec::new();
            for case in CASES {
                let report = run_file_over_bluetooth(&cases_dir().join(case), &sim).await;
                match report.result {
                    Ok(()) => println!("pass {}", report.name),
                    Err(failure) => failures.push(format!("{}: {failure}", report.name)),
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        })
        .await
        .expect("the cases finish in time");
    });
}

//! Plays Buttplug device-test-case files (the YAML format buttplug-rs keeps its protocol tests
//! in) against plugwire's protocols, and says which pass.
//!
//! ```sh
//! cargo run --release -p plugwire-test-support --example device_test_cases -- devices/tests/device_cases
//! cargo run --release -p plugwire-test-support --example device_test_cases -- path/to/buttplug/device_test_case/test_lovense_edge.yaml
//! ```
//!
//! One line per file (`pass NAME`, or `FAIL NAME: first difference`), then `N passed, M
//! failed`. A case's `user_device_config_file` is read from the `config/` folder beside it.
//!
//! With `--over-bluetooth` (Linux) each case runs through a simulated BlueZ on a private
//! D-Bus daemon and plugwire-ble instead of recording hardware (serial-port cases fail there):
//!
//! ```sh
//! cargo run -p plugwire-test-support --example device_test_cases -- --over-bluetooth devices/tests/device_cases
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use plugwire_test_support::device_cases::{case_files, run_file};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let over_bluetooth = std::env::args_os().any(|a| a == "--over-bluetooth");
    let paths: Vec<PathBuf> = std::env::args_os()
        .skip(1)
        .filter(|a| a != "--over-bluetooth")
        .map(PathBuf::from)
        .collect();
    if paths.is_empty() {
        eprintln!("usage: device_test_cases [--over-bluetooth] DIR_OR_FILE...");
        return ExitCode::from(2);
    }
    #[cfg(target_os = "linux")]
    let sim = if over_bluetooth {
        use plugwire_test_support::bluez::{SimulatedBluez, rerun_program_with_private_system_bus};
        let bus = rerun_program_with_private_system_bus();
        match SimulatedBluez::on_bus(&bus).await {
            Ok(sim) => Some(sim),
            Err(error) => {
                eprintln!("device_test_cases: the simulated BlueZ: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    #[cfg(not(target_os = "linux"))]
    if over_bluetooth {
        eprintln!("device_test_cases: --over-bluetooth needs Linux (BlueZ)");
        return ExitCode::from(2);
    }
    let files = match case_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("device_test_cases: {error}");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        #[cfg(target_os = "linux")]
        let report = match &sim {
            Some(sim) => {
                plugwire_test_support::device_cases::run_file_over_bluetooth(&file, sim).await
            }
            None => run_file(&file).await,
        };
        #[cfg(not(target_os = "linux"))]
        let report = run_file(&file).await;
        match report.result {
            Ok(()) => {
                passed += 1;
                println!("pass {}", report.name);
            }
            Err(failure) => {
                failed += 1;
                println!("FAIL {}: {failure}", report.name);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

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

use std::path::PathBuf;
use std::process::ExitCode;

use plugwire_test_support::device_cases::{case_files, run_file};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: device_test_cases DIR_OR_FILE...");
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

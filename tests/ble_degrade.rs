//! Bluetooth LE's degrade path: with no system bus, and with a private D-Bus daemon that has
//! no BlueZ on it, `plugwire serve --use-bluetooth-le` starts, reports Bluetooth LE
//! unavailable within a second (its own call timeouts bound this), and serves simulated
//! devices.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_plugwire");
const LIMIT: Duration = Duration::from_secs(20);

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's output, as they come.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        let line = lines
            .recv_timeout(LIMIT)
            .unwrap_or_else(|_| panic!("no line with {needle:?}"));
        if line.contains(needle) {
            return line;
        }
    }
}

fn serve_without_bluetooth(system_bus: &str) {
    let mut child = Command::new(BINARY)
        .args([
            "serve",
            "--websocket-port",
            "0",
            "--use-bluetooth-le",
            "--log",
            "info",
        ])
        .env("DBUS_SYSTEM_BUS_ADDRESS", system_bus)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plugwire serve");
    let stdout = lines(child.stdout.take().expect("piped"));
    let stderr = lines(child.stderr.take().expect("piped"));
    let _server = Running(child);

    let report = wait_for(&stderr, "Bluetooth LE unavailable");
    let elapsed: u64 = report
        .split("elapsed_ms=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("the report says how long it took: {report}"));
    assert!(elapsed <= 1000, "reported after {elapsed} ms: {report}");

    let url = wait_for(&stdout, "plugwire listening on ").replace("plugwire listening on ", "");
    let output = Command::new(BINARY)
        .args([
            "devices",
            "--connect",
            url.trim(),
            "--scan",
            "100ms",
            "--log",
            "warn",
        ])
        .output()
        .expect("run plugwire devices");
    let devices = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(devices.contains("plugwire Simulated Vibrator"), "{devices}");
}

#[test]
fn no_system_bus() {
    serve_without_bluetooth("unix:path=/nonexistent/plugwire-test-bus");
}

#[test]
fn a_private_bus_without_bluez() {
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon is installed (package dbus-daemon)");
    let address = lines(daemon.stdout.take().expect("piped"))
        .recv_timeout(LIMIT)
        .expect("dbus-daemon prints its address");
    let _daemon = Running(daemon);
    serve_without_bluetooth(address.trim());
}

//! Running btleplug inside a test process: btleplug finds the system bus through
//! `DBUS_SYSTEM_BUS_ADDRESS`, read when it connects, and a test must not change its own
//! environment while threads run. So the test starts a private bus and runs itself again, in a
//! child process whose environment points there.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::bus::PrivateBus;

/// Set in the child's environment to the private bus's address (as is
/// `DBUS_SYSTEM_BUS_ADDRESS`): the test is the rerun.
pub const CHILD_BUS: &str = "PLUGWIRE_TEST_PRIVATE_SYSTEM_BUS";

/// How long the rerun may take.
const CHILD_LIMIT: Duration = Duration::from_secs(60);

/// In the rerun, the private bus's address: the test goes on, with btleplug reaching the
/// simulated BlueZ it starts there ([`super::SimulatedBluez::on_bus`]).
///
/// Otherwise starts a private bus, runs the test `test` (its full name in this test binary)
/// again in a child process with `DBUS_SYSTEM_BUS_ADDRESS` pointing at the bus, and returns
/// `None` once the child has passed. The child's output is printed (the test harness captures
/// it as the test's own).
///
/// # Panics
///
/// If the bus cannot start, or the child fails or takes longer than a minute; its output is in
/// the message.
pub fn rerun_with_private_system_bus(test: &str) -> Option<String> {
    if let Ok(address) = std::env::var(CHILD_BUS)
        && std::env::var("DBUS_SYSTEM_BUS_ADDRESS").as_deref() == Ok(address.as_str())
    {
        return Some(address);
    }
    let bus = PrivateBus::start().expect("a private dbus-daemon (package dbus-daemon)");
    let mut child = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
        .env(CHILD_BUS, bus.address())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rerun the test binary");
    let read_all = |mut stream: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stream.read_to_string(&mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("piped")));
    let stderr = read_all(Box::new(child.stderr.take().expect("piped")));
    let id = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait());
    });
    let status = match finished.recv_timeout(CHILD_LIMIT) {
        Ok(status) => status.expect("wait for the rerun"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("the rerun of {test} took longer than {CHILD_LIMIT:?}");
        }
    };
    let output = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    assert!(
        status.success(),
        "the rerun of {test} failed ({status}):\n{output}"
    );
    assert!(
        output.contains("test result: ok. 1 passed"),
        "the rerun ran no test named {test}:\n{output}"
    );
    print!("{output}");
    None
}

/// For a program (the device-test-case example): in the rerun, the private bus's address;
/// otherwise starts a private bus, runs this program again with the same arguments and
/// `DBUS_SYSTEM_BUS_ADDRESS` pointing at the bus (its output passed through), and exits with
/// its status.
pub fn rerun_program_with_private_system_bus() -> String {
    if let Ok(address) = std::env::var(CHILD_BUS)
        && std::env::var("DBUS_SYSTEM_BUS_ADDRESS").as_deref() == Ok(address.as_str())
    {
        return address;
    }
    let bus = PrivateBus::start().expect("a private dbus-daemon (package dbus-daemon)");
    let status = Command::new(std::env::current_exe().expect("this program's path"))
        .args(std::env::args_os().skip(1))
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
        .env(CHILD_BUS, bus.address())
        .status()
        .expect("rerun this program");
    drop(bus);
    std::process::exit(status.code().unwrap_or(1));
}

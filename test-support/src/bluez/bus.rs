//! A private message bus: a `dbus-daemon` of its own, from a temporary configuration that
//! listens on a socket in a temporary folder, lets anyone own any name and activates nothing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the daemon may take to say where it listens.
const START_LIMIT: Duration = Duration::from_secs(10);

/// A running `dbus-daemon`, killed when dropped.
pub struct PrivateBus {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    /// Starts the daemon and waits until it listens.
    pub fn start() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("plugwire-bus").tempdir()?;
        let config = dir.path().join("bus.conf");
        let socket = dir.path().join("socket");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <!-- A run of every device case opens a D-Bus connection per play that btleplug never
       closes: far more than a session bus allows by default. -->
  <limit name="max_completed_connections">100000</limit>
  <limit name="max_incomplete_connections">10000</limit>
  <limit name="max_connections_per_user">100000</limit>
</busconfig>
"#,
                socket.display()
            ),
        )?;
        let mut child = Command::new("dbus-daemon")
            .arg("--nofork")
            .arg("--print-address=1")
            .arg(format!("--config-file={}", config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // It says it may not raise its open-file limit, which is no matter here.
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("dbus-daemon's standard output is not piped"))?;
        // The address is printed once the daemon listens; read on a thread so a daemon that
        // never prints cannot hold the test past the limit.
        let (sender, printed) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let mut bus = Self {
            child,
            address: String::new(),
            _dir: dir,
        };
        let line = printed
            .recv_timeout(START_LIMIT)
            .map_err(|_| std::io::Error::other("dbus-daemon did not print its address"))?;
        if line.trim().is_empty() {
            return Err(std::io::Error::other(
                "dbus-daemon exited without an address",
            ));
        }
        bus.address = line.trim().to_owned();
        Ok(bus)
    }

    /// The address to connect to (what `DBUS_SYSTEM_BUS_ADDRESS` is set to for a client).
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for PrivateBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateBus")
            .field("address", &self.address)
            .finish()
    }
}

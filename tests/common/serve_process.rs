//! Runs the real `plugwire serve` binary for tests that treat it as a black box.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `plugwire serve` child process, killed on drop.
pub struct ServeProcess {
    child: Child,
    /// The `ws://` URL it printed.
    pub url: String,
}

impl ServeProcess {
    /// Starts `plugwire serve --websocket-port 0 <extra>` and waits for its listening line.
    pub fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plugwire"))
            .args(["serve", "--websocket-port", "0", "--log", "warn"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plugwire serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("plugwire serve exited before listening")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("plugwire listening on ") {
                break url.trim().to_owned();
            }
        };
        Self { child, url }
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit status.
    pub fn interrupt(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        self.child.wait().expect("wait for plugwire serve")
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Runs the real `plugwire serve` binary for tests that treat it as a black box.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Longest a test waits for a line the server prints.
const LINE_WAIT: Duration = Duration::from_secs(20);

/// A `plugwire serve` child process, killed on drop.
pub struct ServeProcess {
    child: Child,
    /// The `ws://` URL it printed.
    pub url: String,
    /// Every line it prints from then on (read all along, so it never writes to a closed pipe).
    lines: mpsc::Receiver<String>,
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
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serve = Self {
            child,
            url: String::new(),
            lines,
        };
        serve.url = serve.line_after("plugwire listening on ");
        serve
    }

    /// What follows `prefix` on the next line that starts with it.
    pub fn line_after(&mut self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(LINE_WAIT)
                .unwrap_or_else(|_| panic!("plugwire serve printed no line starting {prefix:?}"));
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_owned();
            }
        }
    }

    /// Sends SIGTERM (a service manager's stop) and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        self.child.wait().expect("wait for plugwire serve")
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

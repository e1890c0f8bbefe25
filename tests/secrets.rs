//! No access token in any log line, at any level: neither a listener's (given or generated,
//! which plugwire serve prints once on stdout for the user to hand out) nor one in a URL that
//! plugwire dials and keeps retrying.

#![cfg(all(unix, feature = "cli", feature = "websocket", feature = "json"))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TOKEN: &str = "never-in-a-log-line-0123456789";
/// Longest a test waits for a line the server prints.
const LINE_WAIT: Duration = Duration::from_secs(20);

/// Every line `stream` gives, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// A running `plugwire serve` at log level `trace`: its stdout and its log, line by line.
struct Serve {
    child: Child,
    stdout: mpsc::Receiver<String>,
    log: mpsc::Receiver<String>,
    /// Log lines already taken off `log`.
    seen: Vec<String>,
}

impl Serve {
    /// Waits for a log line containing `text`, keeping every line read.
    fn wait_for_log(&mut self, text: &str) {
        loop {
            let line = self
                .log
                .recv_timeout(LINE_WAIT)
                .unwrap_or_else(|_| panic!("no log line with {text:?}"));
            let found = line.contains(text);
            self.seen.push(line);
            if found {
                return;
            }
        }
    }

    /// Stops it and returns every line it logged.
    fn stop(mut self) -> Vec<String> {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        self.seen.extend(self.log.iter());
        self.seen
    }
}

/// Starts `plugwire serve --log trace ARGS`.
fn serve(args: &[&str]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plugwire"))
        .args(["serve", "--log", "trace"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plugwire serve");
    let stdout = lines_of(child.stdout.take().expect("stdout is piped"));
    let log = lines_of(child.stderr.take().expect("stderr is piped"));
    Serve {
        child,
        stdout,
        log,
        seen: Vec::new(),
    }
}

#[test]
fn tokens_stay_out_of_the_log() {
    // A listener beyond loopback, with the token given on the command line.
    let mut listening = serve(&[
        "--websocket-use-all-interfaces",
        "--websocket-port",
        "0",
        "--access-token",
        TOKEN,
    ]);
    let url = loop {
        let line = listening
            .stdout
            .recv_timeout(LINE_WAIT)
            .expect("a listening line");
        if let Some(url) = line.strip_prefix("plugwire listening on ") {
            break url.to_owned();
        }
    };
    let port = url
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .expect("a port");
    // A client with the token and one without: both are logged, neither with the token.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let with = format!("ws://127.0.0.1:{port}/{TOKEN}");
        let (socket, _) = tokio_tungstenite::connect_async(with.as_str())
            .await
            .expect("the token admits");
        drop(socket);
        let without = format!("ws://127.0.0.1:{port}/wrong-token-wrong-token");
        assert!(
            tokio_tungstenite::connect_async(without.as_str())
                .await
                .is_err()
        );
    });
    // A dialler that keeps retrying a URL holding the token.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("a port nobody serves");
    let dead_port = dead.local_addr().expect("address").port();
    drop(dead);
    let target = format!("ws://127.0.0.1:{dead_port}/{TOKEN}?token={TOKEN}");
    let mut dialling = serve(&["--connect", &target]);
    // The first attempt and a retry.
    dialling.wait_for_log("could not connect out");
    dialling.wait_for_log("could not connect out");
    listening.wait_for_log("refused a connection without the access token");

    for log in [listening.stop(), dialling.stop()] {
        assert!(!log.is_empty(), "trace logging wrote nothing");
        for line in log {
            assert!(!line.contains(TOKEN), "a token in the log: {line}");
        }
    }
}

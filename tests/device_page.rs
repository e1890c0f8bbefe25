//! The live device page in a real browser: `plugwire serve --rest-api-port 0`, the page in
//! headless Chromium (driven over the DevTools protocol), a Buttplug client vibrating the
//! simulated vibrator, the page showing the new level within a second, then a real click on
//! "Stop all" and the device stopped. A screenshot of the page is kept as a test artifact
//! (`PLUGWIRE_SCREENSHOT=docs/device-page.png` also writes it there, for the README).
//!
//! It needs Chromium (Debian package `chromium`; `.ci/run` installs it). On a machine without
//! one it says so and checks nothing, so `cargo test --workspace` works with a bare Rust
//! toolchain; with `PLUGWIRE_REQUIRE_CHROMIUM` set (as `.ci/run` sets it) a missing browser
//! fails the test instead. `PLUGWIRE_CHROMIUM` names another binary.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use plugwire::json::JsonSerializer;
use plugwire::websocket::{WebSocketDialer, WebSocketOptions};
use plugwire::{Client, RemoteConnector};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The whole test, browser start included.
const TEST_LIMIT: Duration = Duration::from_secs(60);
/// How soon the page must show a level a client set.
const LIVE_LIMIT: Duration = Duration::from_secs(1);
/// How long the page may take to load and list the devices.
const LOAD_LIMIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_follows_a_client_live_and_stops_everything() {
    tokio::time::timeout(TEST_LIMIT, run())
        .await
        .expect("the browser test timed out");
}

async fn run() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("PLUGWIRE_REQUIRE_CHROMIUM").is_none(),
            "the device-page test needs Chromium: `apt-get install chromium` (what .ci/run \
             does), or PLUGWIRE_CHROMIUM=/path/to/chrome"
        );
        println!("no Chromium on this machine: the device page is not checked in a browser");
        return;
    };
    let serve = Serve::start();
    let page_url = format!("http://{}/", serve.rest);
    let browser = Browser::launch(&chromium).await;
    let mut page = browser.open(&page_url).await;

    // The page lists the vibrator's first motor, at rest.
    let level = r#"document.querySelector('.output[data-key="0/0/Vibrate"] .level')?.dataset.value ?? null"#;
    page.wait_for(level, json!("0"), LOAD_LIMIT).await;

    // A Buttplug client drives it; the page shows the new level within a second.
    let dialer = WebSocketDialer::new(&serve.websocket, WebSocketOptions::default())
        .expect("WebSocket dialer");
    let client = Client::connect(
        "device page test",
        RemoteConnector::new(dialer, JsonSerializer),
    )
    .await
    .expect("connect the Buttplug client");
    let vibrator = client.device(0).expect("the vibrator is listed");
    vibrator.vibrate(0.5).await.expect("vibrate");
    let sent = Instant::now();
    page.wait_for(level, json!("10"), LIVE_LIMIT).await;
    eprintln!(
        "the page showed the new level {:?} after the command",
        sent.elapsed()
    );
    page.screenshot().await;

    // A real click on "Stop all" stops the device.
    page.click("#stop-all").await;
    page.wait_for(level, json!("0"), LOAD_LIMIT).await;
    let device = http_get(&serve.rest, "/api/v1/devices/0").await;
    assert_eq!(device["levels"]["0"]["Vibrate"], 0, "{device}");
    assert_eq!(device["levels"]["1"]["Vibrate"], 0, "{device}");
    client.disconnect().await.expect("disconnect");
}

/// The Chromium binary, if there is one.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PLUGWIRE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// `plugwire serve` with the REST API, killed on drop.
struct Serve {
    child: Child,
    websocket: String,
    rest: String,
}

impl Serve {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plugwire"))
            .args(["serve", "--websocket-port", "0", "--rest-api-port", "0"])
            .args(["--log", "warn"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plugwire serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let (mut websocket, mut rest) = (None, None);
        while websocket.is_none() || rest.is_none() {
            let line = lines
                .next()
                .expect("plugwire serve exited before listening")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("plugwire listening on ") {
                websocket = Some(url.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("plugwire REST API on http://") {
                rest = Some(url.trim().to_owned());
            }
        }
        Self {
            child,
            websocket: websocket.unwrap_or_default(),
            rest: rest.unwrap_or_default(),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headless Chromium with its DevTools endpoint, killed on drop.
struct Browser {
    _child: tokio::process::Child,
    _profile: tempfile::TempDir,
    devtools: String,
}

impl Browser {
    async fn launch(binary: &PathBuf) -> Self {
        let profile = tempfile::tempdir().expect("browser profile directory");
        let mut child = tokio::process::Command::new(binary)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=420,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("start {}: {error}", binary.display()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        let devtools = loop {
            let line = lines
                .next_line()
                .await
                .expect("read Chromium's stderr")
                .expect("Chromium exited before its DevTools endpoint was up");
            if let Some(url) = line.strip_prefix("DevTools listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            _child: child,
            _profile: profile,
            devtools,
        }
    }

    /// A new tab at `url`, attached.
    async fn open(&self, url: &str) -> Page {
        let (socket, _) = tokio_tungstenite::connect_async(&self.devtools)
            .await
            .expect("connect to DevTools");
        let mut page = Page {
            socket,
            next_id: 1,
            session: None,
        };
        let target = page
            .call("Target.createTarget", json!({ "url": url }))
            .await;
        let target_id = target["targetId"].clone();
        let attached = page
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
            )
            .await;
        page.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("a session id")
                .to_owned(),
        );
        page
    }
}

/// One tab, driven over the DevTools protocol.
struct Page {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: Option<String>,
}

impl Page {
    /// Calls a DevTools method and returns its result (events in between are skipped).
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut request = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            request["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(request.to_string()))
            .await
            .expect("send to DevTools");
        loop {
            let message = self
                .socket
                .next()
                .await
                .expect("DevTools closed")
                .expect("read DevTools");
            let Message::Text(text) = message else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
            if reply["id"] == id {
                assert!(reply["error"].is_null(), "{method} failed: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    async fn evaluate(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it equals `expected`, failing past `limit`.
    async fn wait_for(&mut self, expression: &str, expected: Value, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let value = self.evaluate(expression).await;
            if value == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not show {expected} within {limit:?} (it shows {value}): {expression}"
            );
            // A poll interval, not synchronisation: the deadline decides.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A real mouse click in the middle of the element `selector` names.
    async fn click(&mut self, selector: &str) {
        let centre = self
            .evaluate(&format!(
                "(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); \
                 return {{ x: r.x + r.width / 2, y: r.y + r.height / 2 }}; }})()"
            ))
            .await;
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": centre["x"], "y": centre["y"], "button": "left", "clickCount": 1 }),
            )
            .await;
        }
    }

    /// Saves a PNG of the page as a test artifact (and where `PLUGWIRE_SCREENSHOT` says).
    async fn screenshot(&mut self) {
        let shot = self
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("screenshot is base64");
        let artifact = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("device-page.png");
        std::fs::write(&artifact, &png).expect("write the screenshot artifact");
        eprintln!("screenshot: {}", artifact.display());
        if let Some(path) = std::env::var_os("PLUGWIRE_SCREENSHOT") {
            std::fs::write(&path, &png).expect("write PLUGWIRE_SCREENSHOT");
        }
    }
}

/// `GET path` on the REST API, as JSON.
async fn http_get(address: &str, path: &str) -> Value {
    let mut stream = TcpStream::connect(address).await.expect("connect REST");
    let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read response");
    let (_, body) = response.split_once("\r\n\r\n").expect("a header block");
    serde_json::from_str(body).expect("a JSON body")
}

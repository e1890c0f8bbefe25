//! The command line as people and scripts use it: `plugwire serve` on WebSocket, IPC and QUIC
//! at once, driven through each by `plugwire devices/vibrate/stop --connect URL`, and the
//! reversed set-up through `--listen` with `serve --connect`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_plugwire");
/// Every command here must finish within this.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs a client command to completion, killing it past the limit.
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(BINARY)
        .args(args)
        .args(["--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plugwire");
    let started = Instant::now();
    while child.try_wait().expect("poll child").is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("plugwire {args:?} did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn stdout_of(args: &[&str]) -> String {
    let output = run(args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "plugwire {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A child process killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `plugwire` with `args` and reads `lines` lines of its stdout that start with `prefix`.
fn start(args: &[&str], prefix: &str, lines: usize) -> (Running, Vec<String>) {
    let mut child = Command::new(BINARY)
        .args(args)
        .args(["--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start plugwire");
    let stdout = child.stdout.take().expect("piped");
    let running = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    let prefix = prefix.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(&prefix) {
                let _ = tx.send(rest.trim().to_owned());
            }
        }
    });
    let found = (0..lines)
        .map(|_| {
            rx.recv_timeout(LIMIT)
                .expect("plugwire printed its address")
        })
        .collect();
    (running, found)
}

/// The rest of the first line that starts with `prefix`.
fn after<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}: {lines:?}"))
}

#[test]
fn serve_listens_on_every_transport_and_client_commands_drive_each() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("cli.sock");
    let data = dir.path().to_string_lossy().into_owned();
    let abstract_name = format!("plugwire-cli-{}", std::process::id());
    let (_server, urls) = start(
        &[
            "serve",
            "--websocket-port",
            "0",
            "--ipc",
            socket.to_str().expect("utf-8 path"),
            "--ipc",
            &abstract_name,
            "--quic-port",
            "0",
            "--data-dir",
            &data,
        ],
        "plugwire listening on ",
        4,
    );
    assert!(urls[0].starts_with("ws://127.0.0.1:"), "{urls:?}");
    assert!(
        urls[3].starts_with("quic://127.0.0.1:") && urls[3].contains("?fingerprint=sha256:"),
        "{urls:?}"
    );
    for url in &urls {
        let devices = stdout_of(&["devices", "--connect", url, "--scan", "100ms"]);
        assert!(
            devices.contains("0: plugwire Simulated Vibrator"),
            "{url}: {devices}"
        );
        assert!(
            devices.contains("1: plugwire Simulated Stroker"),
            "{url}: {devices}"
        );
        let vibrate = stdout_of(&[
            "vibrate",
            "--connect",
            url,
            "--device",
            "0",
            "--value",
            "0.5",
            "--for",
            "50ms",
        ]);
        assert!(vibrate.contains("vibrating device 0"), "{url}: {vibrate}");
        assert!(stdout_of(&["stop", "--connect", url]).contains("stopped every device"));
    }
    // A device that cannot vibrate, and a wrong fingerprint, fail with a message.
    let refused = run(&[
        "vibrate",
        "--connect",
        &urls[0],
        "--device",
        "1",
        "--value",
        "0.5",
    ]);
    assert!(!refused.status.success());
    let (address, _) = urls[3].split_once('?').expect("query");
    let wrong = format!("{address}?fingerprint=sha256:{}", "00".repeat(32));
    let refused = run(&["devices", "--connect", &wrong]);
    assert!(!refused.status.success());
}

#[test]
fn reversed_roles_through_listen_and_serve_connect() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let socket = format!("ipc://{}", dir.path().join("reversed.sock").display());
    for listen in ["ws://127.0.0.1:0", socket.as_str(), "quic://127.0.0.1:0"] {
        // The client waits; the server dials it.
        let mut client = Command::new(BINARY)
            .args([
                "devices", "--listen", listen, "--scan", "100ms", "--log", "warn",
            ])
            .env("XDG_DATA_HOME", &data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start client");
        let stdout = client.stdout.take().expect("piped");
        // Nothing below may wait forever on a client that hangs.
        let pid = client.id().to_string();
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if finished.recv_timeout(LIMIT).is_err() {
                let _ = Command::new("kill").args(["-9", &pid]).status();
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let waiting = lines.next().expect("a line").expect("read");
        let url = waiting
            .strip_prefix("plugwire waiting on ")
            .and_then(|rest| rest.split(' ').next())
            .expect("the address to dial")
            .to_owned();
        let _server = start(
            &["serve", "--connect", &url, "--data-dir", &data],
            "plugwire dialling ",
            1,
        );
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let status = client.wait().expect("client");
        let _ = done.send(());
        let _ = watchdog.join();
        assert!(status.success(), "{listen}: {rest:?}");
        assert!(
            rest.iter().any(|l| l
                == "0: plugwire Simulated Vibrator [Vibrate 0..20, Vibrate 0..20, Battery input]"),
            "{listen}: {rest:?}"
        );
    }
}

#[test]
fn device_config_summarises_the_builtin_database_and_lists_drivable_models() {
    let summary = stdout_of(&["device-config"]);
    assert!(
        summary.contains("device configuration version 5.57: valid"),
        "{summary}"
    );
    assert!(summary.contains("protocols: 149 known, "), "{summary}");
    assert!(summary.contains("models: 873 known, "), "{summary}");
    let models = stdout_of(&["device-config", "--models"]);
    let lines: Vec<&str> = models.lines().collect();
    assert!(lines.contains(&"lovense\tLovense Edge"), "{models}");
    assert!(lines.contains(&"lovense\tLovense Solace Pro"), "{models}");
    assert!(lines.iter().all(|l| l.split('\t').count() == 2));
    // Only drivable models: game controllers are in the database, not driven.
    assert!(
        lines.iter().any(|l| l.starts_with("mysteryvibe\t")),
        "{models}"
    );
    assert!(!models.contains("xinput"), "{models}");
}

#[test]
fn device_config_names_the_file_and_place_of_a_mistake() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("user.json");
    std::fs::write(
        &path,
        r#"{"version":{"major":5,"minor":0},"protocols":{"lovense":{"defaults":{"name":"L","features":[
            {"output":{"vibrate":{"value":[20,0]}}}]}}}}"#,
    )
    .expect("write");
    let path = path.display().to_string();
    let output = run(&["device-config", "--user-device-config-file", &path]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{path}: protocols.lovense.defaults.features[0].output.vibrate.value"
        )),
        "{stderr}"
    );
}

#[test]
fn the_default_websocket_listener_answers_on_both_loopbacks() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        println!("no IPv6 loopback on this machine; nothing to check");
        return;
    }
    let (_server, ipv6) = start(
        &["serve", "--websocket-port", "0"],
        "plugwire also listening on ",
        1,
    );
    assert!(ipv6[0].starts_with("ws://[::1]:"), "{ipv6:?}");
    let devices = stdout_of(&["devices", "--connect", &ipv6[0], "--scan", "100ms"]);
    assert!(
        devices.contains("0: plugwire Simulated Vibrator"),
        "{devices}"
    );
}

#[test]
fn a_failed_connect_names_the_address_and_the_cause() {
    // A port nobody listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("ws://127.0.0.1:{port}");
    let output = run(&["devices", "--connect", &url]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("refused"), "{stderr}");
}

#[test]
fn a_listener_beyond_loopback_requires_the_access_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let (_server, lines) = start(
        &[
            "serve",
            "--websocket-use-all-interfaces",
            "--websocket-port",
            "0",
            "--no-simulated-devices",
            "--data-dir",
            &data,
        ],
        "plugwire ",
        2,
    );
    let token = after(&lines, "access token: ").to_owned();
    let listening = after(&lines, "listening on ");
    assert!(listening.ends_with(&format!("/{token}")), "{listening}");
    let port = listening
        .trim_start_matches("ws://0.0.0.0:")
        .split('/')
        .next()
        .expect("port");
    let bare = format!("ws://127.0.0.1:{port}");
    let refused = run(&["devices", "--connect", &bare, "--scan", "100ms"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    for admitted in [format!("{bare}/{token}"), format!("{bare}/?token={token}")] {
        let output = run(&["devices", "--connect", &admitted, "--scan", "100ms"]);
        assert!(
            output.status.success(),
            "{admitted}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn serve_over_wss_with_a_kept_certificate_and_its_fingerprint_pinned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let serve = [
        "serve",
        "--websocket-tls",
        "--websocket-port",
        "0",
        "--data-dir",
        &data,
    ];
    let (server, urls) = start(&serve, "plugwire listening on ", 1);
    let url = &urls[0];
    assert!(
        url.starts_with("wss://127.0.0.1:") && url.contains("?fingerprint=sha256:"),
        "{url}"
    );
    let devices = stdout_of(&["devices", "--connect", url, "--scan", "100ms"]);
    assert!(
        devices.contains("0: plugwire Simulated Vibrator"),
        "{devices}"
    );
    let (address, _) = url.split_once('?').expect("query");
    let wrong = format!("{address}?fingerprint=sha256:{}", "00".repeat(32));
    let refused = run(&["devices", "--connect", &wrong]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(address) && stderr.contains("not the pinned"),
        "{stderr}"
    );
    // Unpinned, the generated certificate is trusted by no system root.
    let unpinned = run(&["devices", "--connect", address]);
    assert!(!unpinned.status.success());
    // The certificate is kept: a restarted server presents the same fingerprint.
    drop(server);
    let (_server, again) = start(&serve, "plugwire listening on ", 1);
    let fingerprint = |url: &str| url.split_once("fingerprint=").map(|(_, f)| f.to_owned());
    assert_eq!(fingerprint(&again[0]), fingerprint(url));
}

#[test]
fn a_quic_listener_beyond_loopback_requires_the_access_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let (_server, lines) = start(
        &[
            "serve",
            "--websocket-port",
            "0",
            "--quic-port",
            "0",
            "--quic-listen-address",
            "0.0.0.0",
            "--data-dir",
            &data,
        ],
        "plugwire ",
        4,
    );
    let token = after(&lines, "access token: ").to_owned();
    let quic = lines
        .iter()
        .filter_map(|l| l.strip_prefix("listening on "))
        .find(|l| l.starts_with("quic://"))
        .expect("the QUIC listener")
        .replace("0.0.0.0", "127.0.0.1");
    assert!(quic.ends_with(&format!("&token={token}")), "{quic}");
    let admitted = stdout_of(&["devices", "--connect", &quic, "--scan", "100ms"]);
    assert!(
        admitted.contains("0: plugwire Simulated Vibrator"),
        "{admitted}"
    );
    let bare = quic.replace(&format!("&token={token}"), "");
    let refused = run(&["devices", "--connect", &bare, "--scan", "100ms"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("wrong or missing access token"), "{stderr}");
    // The loopback WebSocket listener beside it needs no token.
    let websocket = lines
        .iter()
        .filter_map(|l| l.strip_prefix("listening on "))
        .find(|l| l.starts_with("ws://127.0.0.1:"))
        .expect("the WebSocket listener");
    assert!(!websocket.contains(&token), "{websocket}");
}

#[test]
fn serve_announces_its_websocket_listeners_over_mdns_when_asked() {
    let (_server, announced) = start(
        &[
            "serve",
            "--websocket-port",
            "0",
            "--broadcast-server-mdns",
            "--mdns-suffix",
            "cli",
        ],
        "plugwire announced over mDNS as ",
        1,
    );
    assert!(
        announced[0].starts_with("intiface_engine_cli_")
            && announced[0].ends_with("._intiface_engine._tcp.local."),
        "{announced:?}"
    );
}

#[test]
fn supported_devices_page_is_what_device_config_lists() {
    let models = stdout_of(&["device-config", "--models"]);
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for line in models.lines() {
        let (protocol, _) = line.split_once('\t').expect("protocol<TAB>name");
        *counts.entry(protocol.to_owned()).or_default() += 1;
    }
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/supported-devices.md"
    ))
    .expect("docs/supported-devices.md");
    let start = page
        .find("<!-- supported-devices:start")
        .expect("start marker");
    let end = page.find("<!-- supported-devices:end").expect("end marker");
    let mut listed = std::collections::BTreeMap::<String, usize>::new();
    for row in page[start..end].lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        if let [protocol, count] = cells[..]
            && let Ok(count) = count.parse()
        {
            listed.insert(protocol.to_owned(), count);
        }
    }
    assert_eq!(
        listed, counts,
        "docs/supported-devices.md is stale: run scripts/supported-devices"
    );
    let summary = stdout_of(&["device-config"]);
    assert!(
        page[start..end].contains(summary.trim()),
        "docs/supported-devices.md is stale: run scripts/supported-devices"
    );
}

#[test]
fn a_forwarders_listener_beyond_loopback_requires_the_access_token_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let (_server, lines) = start(
        &[
            "serve",
            "--websocket-port",
            "0",
            "--forwarders",
            "ws://0.0.0.0:0",
            "--no-simulated-devices",
            "--data-dir",
            &data,
        ],
        "plugwire ",
        4,
    );
    let token = after(&lines, "access token: ").to_owned();
    let forwarders = after(&lines, "accepting device forwarders on ");
    assert!(forwarders.ends_with(&format!("/{token}")), "{forwarders}");
    let bare = forwarders
        .replace("0.0.0.0", "127.0.0.1")
        .replace(&format!("/{token}"), "");
    let refused = run(&["devices", "--connect", &bare]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// A plain `GET` with `Connection: close`; the status code.
fn http_status(address: &str, path: &str, headers: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect REST");
    stream.set_read_timeout(Some(LIMIT)).expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line")
}

#[test]
fn the_rest_api_beyond_loopback_requires_the_access_token() {
    let token = "rest-cli-token-0123456789";
    let (_server, urls) = start(
        &[
            "serve",
            "--websocket-port",
            "0",
            "--rest-api-port",
            "0",
            "--rest-api-listen-address",
            "0.0.0.0",
            "--rest-api-insecure-http",
            "--access-token",
            token,
        ],
        "plugwire REST API on http://",
        1,
    );
    let port = urls[0].rsplit(':').next().expect("a port");
    let address = format!("127.0.0.1:{port}");
    assert_eq!(http_status(&address, "/api/v1/devices", ""), 401);
    assert_eq!(
        http_status(&address, &format!("/api/v1/devices?token={token}"), ""),
        200
    );
    let bearer = format!("Authorization: Bearer {token}\r\n");
    assert_eq!(http_status(&address, "/", &bearer), 200);
}

#[test]
fn the_rest_api_on_loopback_needs_no_token() {
    let (_server, urls) = start(
        &["serve", "--websocket-port", "0", "--rest-api-port", "0"],
        "plugwire REST API on http://",
        1,
    );
    assert!(urls[0].starts_with("127.0.0.1:"), "{urls:?}");
    assert_eq!(http_status(&urls[0], "/api/v1/devices", ""), 200);
}

/// The token `plugwire serve` prints, started beyond loopback with `extra` and `--data-dir`.
fn token_of(data: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "serve",
        "--websocket-use-all-interfaces",
        "--websocket-port",
        "0",
        "--no-simulated-devices",
        "--data-dir",
        data,
    ];
    args.extend_from_slice(extra);
    let (_server, lines) = start(&args, "plugwire ", 2);
    after(&lines, "access token: ").to_owned()
}

#[test]
fn a_made_up_token_is_kept_until_a_new_one_is_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data = data.to_string_lossy().into_owned();
    let first = token_of(&data, &[]);
    // Phones given the token keep working after a restart.
    assert_eq!(token_of(&data, &[]), first);
    let renewed = token_of(&data, &["--new-access-token"]);
    assert_ne!(renewed, first);
    assert_eq!(token_of(&data, &[]), renewed);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &std::path::Path| {
            std::fs::metadata(path)
                .expect("exists")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(
            mode(std::path::Path::new(&data)),
            0o700,
            "the data directory"
        );
        assert_eq!(
            mode(&dir.path().join("data/access-token")),
            0o600,
            "the kept token"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("token");
    std::fs::write(&file, "a-token-from-a-file-0123456789\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let path = file.to_string_lossy().into_owned();
    let args = [
        "serve",
        "--websocket-use-all-interfaces",
        "--websocket-port",
        "0",
        "--access-token-file",
        path.as_str(),
    ];
    let output = run(&args);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("readable by other users"), "{stderr}");
    // Owner-only, it is the token.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (_server, lines) = start(&args, "plugwire ", 1);
    let listening = after(&lines, "listening on ");
    assert!(
        listening.ends_with("/a-token-from-a-file-0123456789"),
        "{listening}"
    );
}

/// A `GET` over HTTPS pinning `fingerprint`, with `Connection: close`; the status code.
#[cfg(feature = "rest")]
fn https_status(address: &str, fingerprint: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    use std::sync::Arc;

    use plugwire_tls::{Fingerprint, ServerTrust, TlsVersions};
    use tokio_rustls::rustls;

    let pin: Fingerprint = fingerprint.parse().expect("a fingerprint");
    let config = ServerTrust::Pinned(pin)
        .client_config(TlsVersions::Tls12And13, &[b"http/1.1"])
        .expect("client config");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("a name");
    let client = rustls::ClientConnection::new(Arc::new(config), name).expect("TLS client");
    let tcp = std::net::TcpStream::connect(address).expect("connect REST");
    tcp.set_read_timeout(Some(LIMIT)).expect("timeout");
    let mut stream = rustls::StreamOwned::new(client, tcp);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line")
}

#[cfg(feature = "rest")]
#[test]
fn the_rest_api_beyond_loopback_serves_https_with_a_kept_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_string_lossy().into_owned();
    let token = "rest-https-cli-token-0123456789";
    let serve = [
        "serve",
        "--websocket-port",
        "0",
        "--rest-api-port",
        "0",
        "--rest-api-listen-address",
        "0.0.0.0",
        "--access-token",
        token,
        "--data-dir",
        &data,
    ];
    let (server, lines) = start(&serve, "plugwire REST API ", 2);
    let url = after(&lines, "on ");
    assert!(url.starts_with("https://0.0.0.0:"), "{lines:?}");
    let fingerprint = after(&lines, "certificate fingerprint: ");
    assert!(fingerprint.starts_with("sha256:"), "{lines:?}");
    let port = url.rsplit(':').next().expect("a port");
    let address = format!("127.0.0.1:{port}");
    assert_eq!(https_status(&address, fingerprint, "/api/v1/devices"), 401);
    let with_token = format!("/api/v1/devices?token={token}");
    assert_eq!(https_status(&address, fingerprint, &with_token), 200);
    assert!(
        dir.path().join("rest-cert.pem").exists(),
        "kept under its own stem"
    );
    // The certificate is kept: a restarted server presents the same fingerprint.
    drop(server);
    let (_server, again) = start(&serve, "plugwire REST API ", 2);
    assert_eq!(after(&again, "certificate fingerprint: "), fingerprint);
}

//! Shared test helpers: a server on a free loopback port, a raw WebSocket client that sends
//! exact wire text, and a timeout for every async test.

#![allow(dead_code)]

pub mod http;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire::connect::{AnyListener, ConnectOptions, Detect};
use plugwire::core::Listener as _;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig, SessionConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// `server` listening at `listen` (any URL plugwire serves; `DIR` in it becomes a new temporary
/// directory), each connection in the serializer it speaks. Returns the listener's own URL, the
/// options to dial it with, and the directory, which the caller keeps for as long as it serves.
pub async fn serve_any(
    server: &Arc<Server>,
    listen: &str,
) -> (String, ConnectOptions, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ConnectOptions {
        data_dir: Some(dir.path().to_owned()),
        ..ConnectOptions::default()
    };
    let listen = listen.replace("DIR", &dir.path().display().to_string());
    let listener = AnyListener::bind(&listen.parse().expect("url"), &options)
        .await
        .expect("bind");
    let address = listener.describe();
    let serving = server.clone();
    tokio::spawn(async move { serving.listen(listener, Detect::default()).await });
    (address, options, dir)
}

/// Raises this process's soft open-file limit to `descriptors` (never past the hard limit), for
/// tests that hold many sockets at once.
#[cfg(unix)]
pub fn raise_open_file_limit(descriptors: u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|current| current < descriptors) {
        let current = limit
            .maximum
            .map_or(descriptors, |hard| hard.min(descriptors));
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(current),
                maximum: limit.maximum,
            },
        )
        .expect("raise the soft open-file limit");
    }
}

/// The limit on every async test and every wait inside one.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `body` under [`TEST_TIMEOUT`].
pub async fn within<T>(body: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_TIMEOUT, body)
        .await
        .expect("test timed out")
}

/// A running server and its simulated devices (vibrator 0, stroker 1, rotator 2).
pub struct TestServer {
    pub server: Arc<Server>,
    pub addr: SocketAddr,
    pub vibrator: Arc<SimulatedDevice>,
    pub stroker: Arc<SimulatedDevice>,
    pub rotator: Arc<SimulatedDevice>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1:0` with the default settings.
    pub async fn start() -> Self {
        Self::start_with(SessionConfig::default(), WebSocketOptions::default(), 64).await
    }

    /// Starts a server with these settings.
    pub async fn start_with(
        session: SessionConfig,
        options: WebSocketOptions,
        max_connections: usize,
    ) -> Self {
        let devices = Arc::new(DeviceManager::new());
        let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
        let stroker = SimulatedDevice::add_to(&devices, SimulatedKind::Stroker);
        let rotator = SimulatedDevice::add_to(&devices, SimulatedKind::Rotator);
        let server = Server::new(
            ServerConfig {
                session,
                ..ServerConfig::for_connections(max_connections)
            },
            devices,
        );
        let listener = WebSocketListener::bind("127.0.0.1:0", options)
            .await
            .expect("bind loopback");
        let addr = listener.local_addr();
        let accept = server.clone();
        tokio::spawn(async move { accept.listen(listener, JsonSerializer).await });
        Self {
            server,
            addr,
            vibrator,
            stroker,
            rotator,
        }
    }

    /// `ws://` URL of the server.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

/// A WebSocket client that sends exact wire text and reads replies as JSON.
pub struct RawClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What arrived instead of a text frame.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed(Option<CloseFrame>),
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}"))
            .await
            .expect("connect to test server");
        Self { socket }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::text(text))
            .await
            .expect("send text");
    }

    pub async fn send_binary(&mut self, bytes: &[u8]) {
        self.socket
            .send(Message::binary(bytes.to_vec()))
            .await
            .expect("send binary");
    }

    /// Next text frame as JSON, or the close.
    pub async fn receive(&mut self) -> Received {
        within(async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        return Received::Json(
                            serde_json::from_str(&text).expect("server sent JSON"),
                        );
                    }
                    Some(Ok(Message::Close(frame))) => return Received::Closed(frame),
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return Received::Closed(None),
                }
            }
        })
        .await
    }

    /// Next text frame as JSON; panics on a close.
    pub async fn next_json(&mut self) -> Value {
        match self.receive().await {
            Received::Json(value) => value,
            Received::Closed(frame) => {
                panic!("connection closed ({frame:?}) while a reply was expected")
            }
        }
    }

    /// Sends `text` and returns the next frame.
    pub async fn request(&mut self, text: &str) -> Value {
        self.send_text(text).await;
        self.next_json().await
    }

    /// Handshakes with a v4 RequestServerInfo.
    pub async fn handshake_v4(&mut self) -> Value {
        self.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"raw","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#)
            .await
    }

    /// Waits for the server to close the connection, returning the close frame.
    pub async fn expect_close(&mut self) -> Option<CloseFrame> {
        match self.receive().await {
            Received::Closed(frame) => frame,
            Received::Json(value) => panic!("expected a close, got {value}"),
        }
    }
}

/// `[{"Error":{"Id":id,...,"ErrorCode":code}}]` check that ignores the message text.
pub fn assert_error(reply: &Value, id: u32, code: u32) {
    let error = &reply[0]["Error"];
    assert!(error.is_object(), "expected an Error, got {reply}");
    assert_eq!(error["Id"], id, "wrong Id in {reply}");
    assert_eq!(error["ErrorCode"], code, "wrong code in {reply}");
    assert!(
        error["ErrorMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message in {reply}"
    );
}

/// `[{"Ok":{"Id":id}}]`.
pub fn assert_ok(reply: &Value, id: u32) {
    assert_eq!(reply, &serde_json::json!([{"Ok": {"Id": id}}]));
}

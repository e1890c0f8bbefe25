//! A fake Lovense Edge that dials a device WebSocket server, as restim or an ESP32 bridge
//! would: it identifies itself, answers `DeviceType;` and `Battery;` (`OK;` to the rest), and
//! passes on every frame it receives, byte for byte.

use futures::{SinkExt, StreamExt};
use plugwire_devices::config::DeviceConfig;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The identification frame, as the reference documents it.
pub const IDENTIFICATION: &str =
    r#"{"identifier":"LVSDevice","address":"8A3D9FAC2A45","version":0}"#;

/// A user configuration claiming the identifier `LVSDevice` for the Lovense protocol.
pub const USER_CONFIG: &str = r#"{
  "version": { "major": 4, "minor": 0 },
  "user_configs": {
    "protocols": {
      "lovense": { "communication": [ { "websocket": { "name": "LVSDevice" } } ] }
    }
  }
}"#;

/// The built-in device database with [`USER_CONFIG`] merged in, so the fake is claimed.
pub fn device_config() -> DeviceConfig {
    let mut config = DeviceConfig::builtin();
    config
        .merge_user_file("test user config", USER_CONFIG)
        .expect("the user configuration");
    config
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the test tells the fake device to do next.
pub enum Act {
    /// Close the connection.
    Close,
    /// Keep the connection but never read again (so pings go unanswered).
    Freeze,
}

/// The fake device, running in its own task.
pub struct FakeLovense {
    received: mpsc::UnboundedReceiver<Vec<u8>>,
    act: Option<oneshot::Sender<Act>>,
}

impl FakeLovense {
    /// Dials `url` and identifies itself.
    pub async fn dial(url: &str) -> Self {
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("dial the device WebSocket server");
        socket
            .send(Message::text(IDENTIFICATION))
            .await
            .expect("identify");
        let (record, received) = mpsc::unbounded_channel();
        let (act, acting) = oneshot::channel();
        tokio::spawn(run(socket, record, acting));
        Self {
            received,
            act: Some(act),
        }
    }

    /// The next frame the server sent.
    pub async fn next(&mut self) -> String {
        let bytes = self.received.recv().await.expect("the fake device runs");
        String::from_utf8(bytes).expect("Lovense commands are text")
    }

    /// The next frame that is not an answered query.
    pub async fn next_command(&mut self) -> String {
        loop {
            let frame = self.next().await;
            if frame != "DeviceType;" && frame != "Battery;" {
                return frame;
            }
        }
    }

    /// Closes, or goes silent.
    pub fn act(&mut self, act: Act) {
        let _ = self.act.take().expect("one act per device").send(act);
    }
}

async fn run(
    mut socket: Socket,
    record: mpsc::UnboundedSender<Vec<u8>>,
    mut acting: oneshot::Receiver<Act>,
) {
    loop {
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(frame)) = frame else { return };
                let Message::Binary(data) = frame else { continue };
                let reply = match &data[..] {
                    b"DeviceType;" => "P:02:0082059AD3BD;",
                    b"Battery;" => "85;",
                    _ => "OK;",
                };
                let _ = record.send(data.to_vec());
                let _ = socket.send(Message::binary(reply.as_bytes().to_vec())).await;
            }
            act = &mut acting => {
                match act {
                    Ok(Act::Close) | Err(_) => {
                        let _ = socket.close(None).await;
                    }
                    Ok(Act::Freeze) => {
                        // Holds the socket open and never polls it again: no pong is sent.
                        std::future::pending::<()>().await;
                    }
                }
                return;
            }
        }
    }
}

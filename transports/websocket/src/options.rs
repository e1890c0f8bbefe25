//! Limits and timeouts shared by both WebSocket roles.

use std::time::Duration;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Initial read buffer and largest single read of an accepted connection. What clients send is
/// short; a longer frame grows the buffer to its own length. 4 KiB cost each idle session 3 KiB
/// more (7.7 instead of 4.7 KiB in the load example) for no measurable gain in pipelined
/// throughput.
const ACCEPTED_READ_BUFFER_SIZE: usize = 1024;
/// The same for a dialled connection: one per process, and it reads device lists of tens of
/// kilobytes, so fewer, larger reads.
const DIALLED_READ_BUFFER_SIZE: usize = 4 * 1024;
/// Replies gathered before tungstenite writes without being asked to flush; the buffer itself
/// starts empty and grows only with what is written.
const WRITE_BUFFER_SIZE: usize = 64 * 1024;

/// WebSocket limits and timeouts.
#[derive(Debug, Clone)]
pub struct WebSocketOptions {
    /// Largest message accepted, in bytes; a larger one gets Close 1009.
    pub max_message_size: usize,
    /// How long a dialler's opening handshake (TCP, TLS, HTTP upgrade) may take.
    pub handshake_timeout: Duration,
    /// How long a listener waits for an accepted connection's TLS handshake and complete
    /// upgrade request: short, so sockets that send nothing hold no room for long.
    pub upgrade_timeout: Duration,
    /// How long the peer may be silent (no message, no answer to a ping) before the connection
    /// counts as dead; after half of it a WebSocket Ping is sent, which every WebSocket peer
    /// (browsers, the published clients) answers by itself. Zero turns it off.
    pub liveness_timeout: Duration,
    /// The secret a listener requires of every connection (as the URL's path or `?token=`);
    /// `None` admits anyone. Listeners beyond loopback should have one.
    pub access_token: Option<plugwire_core::access::AccessToken>,
}

impl Default for WebSocketOptions {
    fn default() -> Self {
        Self {
            max_message_size: 1024 * 1024,
            handshake_timeout: Duration::from_secs(10),
            upgrade_timeout: Duration::from_secs(2),
            liveness_timeout: Duration::from_secs(15),
            access_token: None,
        }
    }
}

impl WebSocketOptions {
    /// The tungstenite configuration of an accepted connection.
    pub(crate) fn accepted_config(&self) -> WebSocketConfig {
        self.config(ACCEPTED_READ_BUFFER_SIZE)
    }

    /// The tungstenite configuration of a dialled connection.
    pub(crate) fn dialled_config(&self) -> WebSocketConfig {
        self.config(DIALLED_READ_BUFFER_SIZE)
    }

    fn config(&self, read_buffer_size: usize) -> WebSocketConfig {
        // tungstenite's default allocates a 128 KiB read buffer per connection up front and
        // zero-fills it on the first read: most of an idle session's memory. A small buffer
        // grows to the length of each arriving frame (the maximum message size is unchanged),
        // and replies are still gathered in the write buffer until the driver flushes.
        WebSocketConfig::default()
            .read_buffer_size(read_buffer_size)
            .write_buffer_size(WRITE_BUFFER_SIZE)
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }
}

/// Prepares a TCP connection: no Nagle delay (small replies must not wait for delayed ACKs),
/// and keep-alive probes so a peer that vanished without a word (a phone off Wi-Fi) is noticed
/// and its session ends, stopping what it drove, even with the ping deadline off.
pub(crate) fn tune_tcp(stream: &tokio::net::TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(15))
        .with_interval(Duration::from_secs(5));
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
    let keepalive = keepalive.with_retries(3);
    socket2::SockRef::from(stream).set_tcp_keepalive(&keepalive)
}

//! Settings of every transport that are not part of a URL, and where generated identities are
//! kept.

use std::path::PathBuf;

/// Settings that are not part of a URL.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Where a QUIC listener keeps its generated certificate ([`default_data_dir`] when
    /// `None`).
    pub data_dir: Option<PathBuf>,
    /// WebSocket limits.
    #[cfg(feature = "websocket")]
    pub websocket: plugwire_websocket::WebSocketOptions,
    /// Local-socket limits.
    #[cfg(feature = "ipc")]
    pub ipc: plugwire_ipc::IpcOptions,
    /// QUIC limits and timers.
    #[cfg(feature = "quic")]
    pub quic: plugwire_quic::QuicOptions,
}

impl ConnectOptions {
    /// Sets the largest message every transport accepts.
    pub fn set_max_message_size(&mut self, bytes: usize) {
        #[cfg(feature = "websocket")]
        {
            self.websocket.max_message_size = bytes;
        }
        #[cfg(feature = "ipc")]
        {
            self.ipc.max_frame = bytes;
        }
        #[cfg(feature = "quic")]
        {
            self.quic.max_frame = bytes;
        }
        let _ = bytes;
    }
}

impl ConnectOptions {
    /// Sets how long a peer may be silent before its connection counts as dead, on every
    /// transport that watches for it (WebSocket pings; heartbeats between plugwire peers on
    /// local sockets; QUIC's idle timeout, with keep-alives well inside it). Zero turns it off.
    pub fn set_liveness_timeout(&mut self, window: std::time::Duration) {
        #[cfg(feature = "websocket")]
        {
            self.websocket.liveness_timeout = window;
        }
        #[cfg(feature = "ipc")]
        {
            self.ipc.liveness_timeout = window;
        }
        #[cfg(feature = "quic")]
        {
            self.quic.idle_timeout = window;
            if !window.is_zero() {
                self.quic.keep_alive = self.quic.keep_alive.min(window / 3);
            }
        }
        let _ = window;
    }
}

/// The per-user data directory: `$XDG_DATA_HOME/plugwire`, `~/.local/share/plugwire`, or
/// `%APPDATA%\plugwire`.
pub fn default_data_dir() -> PathBuf {
    let env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".local").join("share")))
        .or_else(|| env("APPDATA"))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("plugwire")
}

//! Limits and timeouts shared by both WebSocket roles.

use std::time::Duration;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// WebSocket limits and timeouts.
#[derive(Debug, Clone)]
pub struct WebSocketOptions {
    /// Largest message accepted, in bytes; a larger one gets Close 1009.
    pub max_message_size: usize,
    /// How long the opening HTTP upgrade may take.
    pub handshake_timeout: Duration,
}

impl Default for WebSocketOptions {
    fn default() -> Self {
        Self {
            max_message_size: 1024 * 1024,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

impl WebSocketOptions {
    pub(crate) fn config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }
}

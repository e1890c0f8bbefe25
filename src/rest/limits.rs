//! The REST API's limits on what peers may hold: connections, time to send a request head,
//! idle time, event streams, head size, and the grace requests get at shutdown. Each has a
//! default here and a builder method on [`RestApi`](super::RestApi).

use std::time::Duration;

/// Open REST connections at most. When full, a newcomer closes the oldest connection that is
/// not in the middle of a request (one that never completed a request head first, then the
/// longest idle); when every one is mid-request, the newcomer is closed at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// How long a peer has to send a whole request head: a new connection from its accept, a
/// kept-alive one from the first byte of its next request. Then it is closed.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a connection may go without a byte moving either way: a kept-alive connection
/// between requests, or a request whose peer stopped reading its answer. Then it is closed.
/// Event streams carry a comment at least every half of this, so a reading peer stays.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// `GET events` streams open at once; the next one is answered 503.
pub const DEFAULT_MAX_SUBSCRIBERS: usize = 64;

/// Largest request head (request line and headers), in bytes; a bigger one is answered 431.
pub const DEFAULT_MAX_HEAD_BYTES: usize = 64 * 1024;

/// The smallest head limit the HTTP implementation takes.
pub const MIN_HEAD_BYTES: usize = 8 * 1024;

/// How long requests under way at shutdown get to finish before their connections are closed.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// The longest an idle event stream goes without a comment (less when the idle timeout is
/// shorter than twice this).
pub(crate) const MAX_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One REST API's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_subscribers: usize,
    pub(crate) max_head_bytes: usize,
    pub(crate) shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_subscribers: DEFAULT_MAX_SUBSCRIBERS,
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

impl Limits {
    /// How often an idle event stream carries a comment: often enough that the idle timeout
    /// never closes a stream whose reader keeps reading.
    pub(crate) fn keep_alive(&self) -> Duration {
        MAX_KEEP_ALIVE
            .min(self.idle_timeout / 2)
            .max(Duration::from_millis(1))
    }
}

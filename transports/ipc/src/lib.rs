//! plugwire-ipc: same-machine transport on local sockets (the `interprocess` crate).
//!
//! - A **path** ([`IpcName::Path`]) is a Unix domain socket file on Linux and macOS. It is
//!   created with mode 0600 (only this user may connect). A file left behind by a crashed
//!   server is noticed (nobody answers on it) and replaced; a live server is never pushed aside.
//! - A **name** ([`IpcName::Namespaced`]) is a Linux abstract socket (no file at all) or, on
//!   Windows, a named pipe `\\.\pipe\NAME`.
//!
//! Frames are length-delimited (big-endian u32 length, configurable maximum). Both roles
//! exist: [`IpcListener`] accepts, [`IpcDialer`] dials, and both yield [`IpcTransport`].
//!
//! Depends on `plugwire-core` only.

mod dialer;
mod listener;
mod name;

use std::time::Duration;

use plugwire_core::framing::{DEFAULT_MAX_FRAME, LengthDelimited};

pub use dialer::IpcDialer;
pub use listener::IpcListener;
pub use name::IpcName;

/// One local-socket connection, dialled or accepted.
pub type IpcTransport = LengthDelimited<interprocess::local_socket::tokio::Stream>;

/// Limits of a local-socket connection.
#[derive(Debug, Clone)]
pub struct IpcOptions {
    /// Largest frame accepted or sent, in bytes.
    pub max_frame: usize,
    /// How long the peer may be silent before the connection counts as dead (a frozen or
    /// stopped process keeps its socket open); each side sends a heartbeat after a third of
    /// it without sending. Zero turns it off; both ends must be plugwire.
    pub liveness_timeout: Duration,
}

impl Default for IpcOptions {
    fn default() -> Self {
        Self {
            max_frame: DEFAULT_MAX_FRAME,
            liveness_timeout: Duration::from_secs(15),
        }
    }
}

//! What every REST handler shares: the device manager, the REST session, and the readings the
//! API made (for the event stream).

use std::sync::Arc;

use plugwire_devices::{DeviceManager, SessionId};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::view::InputView;

/// Shared by every handler of one REST API.
pub(crate) struct RestState {
    /// The server's device manager.
    pub(crate) devices: Arc<DeviceManager>,
    /// The one session every REST command drives outputs as.
    pub(crate) session: SessionId,
    /// Cancelled when the server shuts down: event streams end then, so the HTTP server can.
    pub(crate) shutdown: CancellationToken,
    /// Input readings made through the API, told to event streams.
    pub(crate) readings: broadcast::Sender<InputView>,
}

/// The state as handlers take it.
pub(crate) type Shared = Arc<RestState>;

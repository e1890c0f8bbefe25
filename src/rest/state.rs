//! What every REST handler shares: the device manager, the REST session, the readings the API
//! made (for the event stream), the event hub and the limits.

use std::sync::Arc;

use plugwire_devices::{DeviceManager, SessionId};
use tokio::sync::{Semaphore, broadcast};
use tokio_util::sync::CancellationToken;

use super::hub::EventHub;
use super::limits::Limits;
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
    /// Renders every event once for all event streams.
    pub(crate) hub: Arc<EventHub>,
    /// One permit per event stream allowed at once.
    pub(crate) subscribers: Arc<Semaphore>,
    /// The API's limits.
    pub(crate) limits: Limits,
}

/// The state as handlers take it.
pub(crate) type Shared = Arc<RestState>;

//! The hardware seam: a connected device's endpoints, written to, read from and subscribed to
//! by name. Hardware knows nothing of protocols; protocols never touch a Bluetooth stack.

use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::InputType;
use tokio::sync::broadcast;

mod byte_link;

pub use byte_link::ByteLink;
pub use plugwire_device_config::{Endpoint, UnknownEndpoint};

/// What a subscribed endpoint sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Where it came from.
    pub endpoint: Endpoint,
    /// What it carried.
    pub data: Vec<u8>,
}

/// One write to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardwareWrite {
    /// Where to.
    pub endpoint: Endpoint,
    /// The bytes.
    pub data: Vec<u8>,
    /// Whether the device must acknowledge it (BLE write with response).
    pub with_response: bool,
}

impl HardwareWrite {
    /// A write to `endpoint`.
    pub fn new(endpoint: Endpoint, data: impl Into<Vec<u8>>, with_response: bool) -> Self {
        Self {
            endpoint,
            data: data.into(),
            with_response,
        }
    }
}

/// A hardware operation failed. Callers act on the case: a disconnected device is removed,
/// anything else may pass and is tried again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HardwareError {
    /// The device is gone; it will not come back on this connection.
    #[error("the device disconnected")]
    Disconnected,
    /// The device has no such endpoint.
    #[error("the device has no {0} endpoint")]
    NoEndpoint(Endpoint),
    /// The operation did not finish in time.
    #[error("the device did not answer in time")]
    Timeout,
    /// The protocol has no way to read this input.
    #[error("{0:?} is not readable on this device")]
    NotReadable(InputType),
    /// The device answered with something the protocol cannot use.
    #[error("the device answered {data:02x?} on {endpoint}, which means nothing here")]
    BadReply {
        /// Where the answer came from.
        endpoint: Endpoint,
        /// What it was.
        data: Vec<u8>,
    },
    /// The hardware stack (Bluetooth, a serial port, a forwarder's link) failed.
    #[error("the hardware stack failed")]
    Stack(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl HardwareError {
    /// Whether the device is gone for good (as opposed to a failure that may pass).
    pub fn is_disconnected(&self) -> bool {
        matches!(self, Self::Disconnected)
    }
}

/// A connected device, as its hardware manager presents it.
pub trait Hardware: Send + Sync + 'static {
    /// The name it advertised.
    fn name(&self) -> &str;

    /// Its address (a Bluetooth address, a port, a forwarder's name for it): what a user
    /// configuration names a single device by.
    fn address(&self) -> &str;

    /// Whether the device has `endpoint`, for protocols whose models differ in the endpoints
    /// they offer (and so in where they take their commands). Hardware that cannot tell says
    /// yes; using an endpoint the device lacks fails with [`HardwareError::NoEndpoint`].
    fn has_endpoint(&self, _endpoint: Endpoint) -> bool {
        true
    }

    /// Writes bytes to an endpoint.
    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>>;

    /// Reads from an endpoint (waiting at most `timeout`).
    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>>;

    /// Asks the device to notify what arrives on an endpoint; notifications then come through
    /// [`Hardware::notifications`].
    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>>;

    /// Stops the notifications of an endpoint.
    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>>;

    /// Every notification of a subscribed endpoint from now on, for one listener.
    fn notifications(&self) -> broadcast::Receiver<Notification>;

    /// Completes when the device disconnects.
    fn disconnected(&self) -> BoxFuture<'_, ()>;
}

/// Finds devices: scans when asked, attaches what it finds to the device manager, and removes
/// what disconnects.
pub trait HardwareManager: Send + Sync + 'static {
    /// A name for logs ("Bluetooth LE").
    fn name(&self) -> &'static str;

    /// Starts looking for devices.
    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>>;

    /// Stops looking.
    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>>;
}

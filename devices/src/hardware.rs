//! The hardware seam: a connected device's endpoints, written to, read from and subscribed to
//! by name. Hardware knows nothing of protocols; protocols never touch a Bluetooth stack.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::InputType;
use tokio::sync::broadcast;

mod byte_link;

pub use byte_link::ByteLink;

/// A named endpoint of a device (a BLE characteristic, in the device configuration's terms):
/// every name the Buttplug device database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Endpoint {
    Command,
    Firmware,
    Rx,
    RxAccel,
    RxBleBattery,
    RxBleModel,
    RxPressure,
    RxTouch,
    Tx,
    TxMode,
    TxShock,
    TxVibrate,
    TxVendorControl,
    Whitelist,
    /// `generic0` to `generic31`.
    Generic(u8),
}

/// The named endpoints and their configuration names (the generic ones are numbered).
const NAMED: [(Endpoint, &str); 14] = [
    (Endpoint::Command, "command"),
    (Endpoint::Firmware, "firmware"),
    (Endpoint::Rx, "rx"),
    (Endpoint::RxAccel, "rxaccel"),
    (Endpoint::RxBleBattery, "rxblebattery"),
    (Endpoint::RxBleModel, "rxblemodel"),
    (Endpoint::RxPressure, "rxpressure"),
    (Endpoint::RxTouch, "rxtouch"),
    (Endpoint::Tx, "tx"),
    (Endpoint::TxMode, "txmode"),
    (Endpoint::TxShock, "txshock"),
    (Endpoint::TxVibrate, "txvibrate"),
    (Endpoint::TxVendorControl, "txvendorcontrol"),
    (Endpoint::Whitelist, "whitelist"),
];

/// Highest `genericN` endpoint.
const MAX_GENERIC: u8 = 31;

/// An endpoint name that is not one of [`Endpoint`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown endpoint {0:?}")]
pub struct UnknownEndpoint(pub String);

impl FromStr for Endpoint {
    type Err = UnknownEndpoint;
    fn from_str(name: &str) -> Result<Self, UnknownEndpoint> {
        if let Some((endpoint, _)) = NAMED.iter().find(|(_, n)| *n == name) {
            return Ok(*endpoint);
        }
        name.strip_prefix("generic")
            .filter(|n| !n.starts_with('0') || *n == "0")
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| *n <= MAX_GENERIC)
            .map(Endpoint::Generic)
            .ok_or_else(|| UnknownEndpoint(name.to_owned()))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generic(n) => write!(f, "generic{n}"),
            named => {
                let name = NAMED
                    .iter()
                    .find(|(e, _)| e == named)
                    .map_or("?", |(_, n)| n);
                f.write_str(name)
            }
        }
    }
}

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

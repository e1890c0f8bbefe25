//! The hardware seam: a connected device's endpoints, written to, read from and subscribed to
//! by name. Hardware knows nothing of protocols; protocols never touch a Bluetooth stack.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::InputType;
use tokio::sync::mpsc;

/// A named endpoint of a device (a BLE characteristic, in the device configuration's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Endpoint {
    Tx,
    Rx,
    Command,
    Firmware,
    Whitelist,
    RxBleBattery,
    TxMode,
    TxVibrate,
}

impl Endpoint {
    /// The name used in device configuration files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tx => "tx",
            Self::Rx => "rx",
            Self::Command => "command",
            Self::Firmware => "firmware",
            Self::Whitelist => "whitelist",
            Self::RxBleBattery => "rxblebattery",
            Self::TxMode => "txmode",
            Self::TxVibrate => "txvibrate",
        }
    }
}

/// An endpoint name that is not one of [`Endpoint`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown endpoint {0:?}")]
pub struct UnknownEndpoint(pub String);

impl FromStr for Endpoint {
    type Err = UnknownEndpoint;
    fn from_str(name: &str) -> Result<Self, UnknownEndpoint> {
        Ok(match name {
            "tx" => Self::Tx,
            "rx" => Self::Rx,
            "command" => Self::Command,
            "firmware" => Self::Firmware,
            "whitelist" => Self::Whitelist,
            "rxblebattery" => Self::RxBleBattery,
            "txmode" => Self::TxMode,
            "txvibrate" => Self::TxVibrate,
            other => return Err(UnknownEndpoint(other.to_owned())),
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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

    /// Writes bytes to an endpoint.
    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>>;

    /// Reads from an endpoint (waiting at most `timeout`).
    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>>;

    /// Subscribes to an endpoint's notifications.
    fn subscribe(
        &self,
        endpoint: Endpoint,
    ) -> BoxFuture<'_, Result<mpsc::UnboundedReceiver<Vec<u8>>, HardwareError>>;

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

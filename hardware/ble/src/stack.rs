//! The Bluetooth stack under every call: time limits, the errors of starting, and the first
//! adapter.

use std::future::Future;
use std::time::Duration;

use btleplug::api::Manager as _;
use btleplug::platform::{Adapter, Manager};
use plugwire_devices::hardware::HardwareError;

/// Time limits on Bluetooth calls.
#[derive(Debug, Clone)]
pub struct BleOptions {
    /// Limit on each call while starting (system bus, adapters): a hung stack is given up on.
    pub start_timeout: Duration,
    /// Limit on each call to a device (connect, discover, write, read).
    pub call_timeout: Duration,
}

impl Default for BleOptions {
    fn default() -> Self {
        Self {
            start_timeout: Duration::from_millis(400),
            call_timeout: Duration::from_secs(5),
        }
    }
}

/// Why Bluetooth LE is not available.
#[derive(Debug, thiserror::Error)]
pub enum BleError {
    /// The Bluetooth stack reported an error.
    #[error("{0}")]
    Stack(#[from] btleplug::Error),
    /// The Bluetooth stack did not answer in time.
    #[error("the Bluetooth stack did not answer within {0:?}")]
    Timeout(Duration),
    /// There is no Bluetooth adapter.
    #[error("no Bluetooth adapter found")]
    NoAdapter,
}

/// `call`, given up after `limit`.
pub(crate) async fn bounded<T, E: Into<BleError>>(
    limit: Duration,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, BleError> {
    tokio::time::timeout(limit, call)
        .await
        .map_err(|_| BleError::Timeout(limit))?
        .map_err(Into::into)
}

/// A call to a device (or to the adapter on a client's behalf), given up after `limit`.
pub(crate) async fn device_call<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, btleplug::Error>>,
) -> Result<T, HardwareError> {
    match tokio::time::timeout(limit, call).await {
        Err(_) => Err(HardwareError::Timeout),
        Ok(Err(btleplug::Error::NotConnected)) => Err(HardwareError::Disconnected),
        Ok(Err(error)) => Err(HardwareError::Stack(Box::new(error))),
        Ok(Ok(value)) => Ok(value),
    }
}

/// Reaches the Bluetooth stack (on Linux: BlueZ over the system bus).
pub(crate) async fn connect(options: &BleOptions) -> Result<Manager, BleError> {
    bounded(options.start_timeout, Manager::new()).await
}

/// The stack's first adapter, if it has one now.
pub(crate) async fn first_adapter(
    manager: &Manager,
    options: &BleOptions,
) -> Result<Option<Adapter>, BleError> {
    Ok(bounded(options.start_timeout, manager.adapters())
        .await?
        .into_iter()
        .next())
}

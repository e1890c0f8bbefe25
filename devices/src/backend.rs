//! The seam between the device manager and whatever actually moves: simulated devices today,
//! hardware protocols later.

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType};

/// A device failed to do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The device is gone.
    #[error("the device is disconnected")]
    Disconnected,
    /// The hardware refused or failed the operation.
    #[error("hardware failure: {0}")]
    Hardware(String),
    /// The device does not implement the operation.
    #[error("not supported by this device: {0}")]
    Unsupported(String),
}

/// Drives one device. Values arrive already checked against the device's feature limits.
///
/// `set_output` and `stop_output` are called with the device manager's lock held (so checks,
/// ownership and writes stay consistent): they must return quickly and must not call back into
/// the manager.
pub trait DeviceBackend: Send + Sync + 'static {
    /// Sets an output. Must not block: a backend that talks to slow hardware keeps only the
    /// newest value per output and writes it when it can.
    fn set_output(&self, feature_index: u32, command: OutputCommand) -> Result<(), DeviceError>;

    /// Stops one output of a feature (vibration to 0, rotation to 0, movement halted).
    fn stop_output(&self, feature_index: u32, output_type: OutputType) -> Result<(), DeviceError>;

    /// Finishes before the process exits: whatever is pending (the stops) is written, within
    /// `limit`. The default has nothing pending.
    fn finish(&self, _limit: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Reads an input once.
    fn read_input(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>>;
}

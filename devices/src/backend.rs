//! The seam between the device manager and whatever actually moves: a device's task (a
//! protocol over hardware, or a forwarded device), or a simulated device.

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType};

use crate::hardware::HardwareError;

/// Drives one device. Values arrive already checked against the device's feature limits.
///
/// `set_output` and `stop_output` are called with the device manager's lock held (so checks,
/// ownership and writes stay consistent): they must return quickly and must not call back into
/// the manager.
pub trait DeviceBackend: Send + Sync + 'static {
    /// Sets an output. Must not block: a backend that talks to slow hardware keeps only the
    /// newest value per output and writes it when it can.
    fn set_output(&self, feature_index: u32, command: OutputCommand) -> Result<(), HardwareError>;

    /// Stops one output of a feature (vibration to 0, rotation to 0, movement halted).
    fn stop_output(&self, feature_index: u32, output_type: OutputType)
    -> Result<(), HardwareError>;

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
    ) -> BoxFuture<'_, Result<i32, HardwareError>>;
}

//! The seam between the device manager and whatever actually moves: a device's task (a
//! protocol over hardware, or a forwarded device), or a simulated device.

use std::sync::Arc;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType};
use tokio::sync::oneshot;

use crate::hardware::HardwareError;

/// What the device's task says of a value once it is done with it: written (or replaced by a
/// newer value that was), or the write failed for good. Shared, since several commands may
/// wait on one write.
pub type WriteResult = Result<(), Arc<HardwareError>>;

/// Whether commands reached the device: known at once (a simulated device), or once the
/// device's task has written them. Dropping it forgets the answer, not the commands.
#[derive(Debug, Default)]
pub struct Delivery {
    waiting: Vec<oneshot::Receiver<WriteResult>>,
}

impl Delivery {
    /// Nothing to wait for: the commands took effect.
    pub fn done() -> Self {
        Self::default()
    }

    /// Waits for the task that will answer on `answer`.
    pub fn waiting(answer: oneshot::Receiver<WriteResult>) -> Self {
        Self {
            waiting: vec![answer],
        }
    }

    /// Whether there is nothing to wait for.
    pub fn is_done(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Adds what `other` waits for.
    pub fn join(&mut self, other: Delivery) {
        self.waiting.extend(other.waiting);
    }

    /// [`Delivery::wait`], at most `limit`: past it the command counts as not taken
    /// ([`HardwareError::Timeout`]).
    pub async fn wait_within(self, limit: std::time::Duration) -> WriteResult {
        tokio::time::timeout(limit, self.wait())
            .await
            .unwrap_or_else(|_| Err(Arc::new(HardwareError::Timeout)))
    }

    /// Completes when every command was written, or with the first failure. A task that ended
    /// without answering had lost its device.
    pub async fn wait(self) -> WriteResult {
        for answer in self.waiting {
            answer
                .await
                .unwrap_or_else(|_| Err(Arc::new(HardwareError::Disconnected)))?;
        }
        Ok(())
    }
}

/// Drives one device. Values arrive already checked against the device's feature limits.
///
/// `set_output` and `stop_output` are called with the device manager's lock held (so checks,
/// ownership and writes stay consistent): they must return quickly and must not call back into
/// the manager.
pub trait DeviceBackend: Send + Sync + 'static {
    /// Sets an output. Must not block: a backend that talks to slow hardware keeps only the
    /// newest value per output, writes it when it can, and says through the [`Delivery`]
    /// whether it got there.
    fn set_output(
        &self,
        feature_index: u32,
        command: OutputCommand,
    ) -> Result<Delivery, HardwareError>;

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

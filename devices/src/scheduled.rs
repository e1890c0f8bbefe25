//! `ScheduledDevice`: a device whose outputs go through a [`Scheduler`] and whose inputs are
//! read by an [`InputReader`] — the shape of every device that is not simulated (protocol
//! devices on hardware, forwarded devices).

use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType};

use super::scheduler::Scheduler;
use super::{DeviceBackend, DeviceError};

/// Reads a device's inputs.
pub trait InputReader: Send + Sync + 'static {
    /// Reads one input once.
    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>>;
}

/// Outputs through a scheduler, inputs through a reader.
pub struct ScheduledDevice<R> {
    scheduler: Scheduler,
    inputs: R,
}

impl<R: InputReader> ScheduledDevice<R> {
    /// A device writing through `scheduler` and reading through `inputs`.
    pub fn new(scheduler: Scheduler, inputs: R) -> Self {
        Self { scheduler, inputs }
    }
}

impl<R: InputReader> DeviceBackend for ScheduledDevice<R> {
    fn finish(&self, limit: Duration) -> BoxFuture<'_, ()> {
        Box::pin(self.scheduler.finish(limit))
    }

    fn set_output(&self, feature_index: u32, command: OutputCommand) -> Result<(), DeviceError> {
        self.scheduler.set(feature_index, command);
        Ok(())
    }

    fn stop_output(&self, feature_index: u32, output_type: OutputType) -> Result<(), DeviceError> {
        self.scheduler.stop(feature_index, output_type);
        Ok(())
    }

    fn read_input(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'_, Result<i32, DeviceError>> {
        self.inputs.read(feature_index, input_type)
    }
}

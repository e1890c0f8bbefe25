//! The seam a device's task drives: output changes out, input reads in. A protocol over
//! hardware ([`ProtocolDriver`](super::ProtocolDriver)) is one; a forwarded device is another.

use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType};
use tokio::sync::broadcast;

use crate::hardware::{HardwareError, Notification};
use crate::protocol::OutputState;

/// What a device's task drives: output changes out, input reads in.
pub trait DeviceDriver: Send + 'static {
    /// Applies `changed` outputs; `state` holds every output's current value (changes included),
    /// for protocols that must write several outputs in one packet.
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>>;

    /// Starts reading an input. The future owns what it needs (it never borrows the driver),
    /// so the task goes on writing while it runs.
    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>>;

    /// How often the device must hear from us even when nothing changes; asked again after
    /// every write, so it may change with the driver's state.
    fn keepalive(&self) -> Option<Duration> {
        None
    }

    /// The device's notifications, for drivers that answer some of them (by default none
    /// are listened to). Taken once, when the task starts.
    fn notifications(&mut self) -> Option<broadcast::Receiver<Notification>> {
        None
    }

    /// Answers a notification from [`DeviceDriver::notifications`].
    fn notified(
        &mut self,
        _notification: Notification,
    ) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async { Ok(()) })
    }

    /// Stops an output that has no "off" value (a position): ends whatever motion toward it
    /// is still under way. By default there is none.
    fn halt(
        &mut self,
        _feature_index: u32,
        _output_type: OutputType,
    ) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async { Ok(()) })
    }

    /// Sends what keeps the device awake (by default, the current state again).
    fn send_keepalive<'a>(
        &'a mut self,
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        let all: Vec<_> = state
            .iter()
            .map(|((feature, _), command)| (*feature, *command))
            .collect();
        Box::pin(async move { self.apply(&all, state).await })
    }
}

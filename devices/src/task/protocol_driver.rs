//! The adapter between a device's task and a protocol: a [`Protocol`] over its [`Hardware`],
//! as the [`DeviceDriver`] the task drives (reversed outputs mirrored on the way).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{InputType, OutputCommand, OutputType, Range};
use tokio::sync::broadcast;

use super::driver::DeviceDriver;
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use crate::protocol::{OutputState, Protocol};

/// A protocol driving real hardware: what a device's task owns.
pub struct ProtocolDriver {
    protocol: Box<dyn Protocol>,
    hardware: Arc<dyn Hardware>,
    /// Outputs a user asked to run backwards, with their ranges.
    reversed: Vec<(u32, OutputType, Range)>,
    /// The device's notifications, listened to from the start for protocols that answer
    /// some, until the device's task takes them.
    notifications: Option<broadcast::Receiver<Notification>>,
    /// The writes of the last `apply` that did not get through (the failed one first), with
    /// the state they were for: trying the same state again sends only these, so the device
    /// never hears twice what it already took.
    unsent: Option<(OutputState, Vec<HardwareWrite>)>,
}

impl ProtocolDriver {
    /// Joins an initialised protocol to its hardware, for a device of `model`.
    pub fn new(
        protocol: Box<dyn Protocol>,
        hardware: Arc<dyn Hardware>,
        model: &DeviceDefinition,
    ) -> Self {
        let reversed = model
            .reversed
            .iter()
            .filter_map(|&(feature, output_type)| {
                let limits = model
                    .features
                    .iter()
                    .find(|f| f.feature_index == feature)?
                    .output
                    .get(&output_type)?;
                Some((feature, output_type, limits.value))
            })
            .collect();
        let notifications = protocol
            .answered_endpoint()
            .map(|_| hardware.notifications());
        Self {
            protocol,
            hardware,
            reversed,
            notifications,
            unsent: None,
        }
    }

    /// The endpoint whose notifications the protocol answers, to be subscribed to.
    pub fn answered_endpoint(&self) -> Option<Endpoint> {
        self.protocol.answered_endpoint()
    }

    /// The protocol's writes for `changed`, with reversed outputs mirrored first.
    fn writes_for(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if self.reversed.is_empty() {
            return self.protocol.writes(changed, state);
        }
        let changed: Vec<_> = changed
            .iter()
            .map(|&(feature, command)| (feature, self.as_sent(feature, command)))
            .collect();
        let state: OutputState = state
            .iter()
            .map(|(&(feature, t), &command)| ((feature, t), self.as_sent(feature, command)))
            .collect();
        self.protocol.writes(&changed, &state)
    }

    /// A command as the device must see it: mirrored within its range when reversed.
    fn as_sent(&self, feature: u32, command: OutputCommand) -> OutputCommand {
        let output_type = command.output_type();
        match self
            .reversed
            .iter()
            .find(|(f, t, _)| *f == feature && *t == output_type)
        {
            Some((_, _, range)) => command.with_value(range.min + range.max - command.value()),
            None => command,
        }
    }
}

impl DeviceDriver for ProtocolDriver {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        Box::pin(async move {
            let writes = match self.unsent.take() {
                Some((for_state, rest)) if for_state == *state => rest,
                abandoned => {
                    if abandoned.is_some() {
                        // Other values came: what the failed writes would have done is moot.
                        self.protocol.written(false);
                    }
                    self.writes_for(changed, state)
                }
            };
            let mut writes = writes.into_iter();
            while let Some(write) = writes.next() {
                if let Err(error) = self.hardware.write(write.clone()).await {
                    let rest = std::iter::once(write).chain(writes).collect();
                    // Told how it went only once it is settled: a retry may still finish it.
                    self.unsent = Some((state.clone(), rest));
                    return Err(error);
                }
            }
            self.protocol.written(true);
            Ok(())
        })
    }

    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        self.protocol
            .read_input(self.hardware.clone(), feature_index, input_type)
    }

    fn keepalive(&self) -> Option<Duration> {
        self.protocol.keepalive()
    }

    fn notifications(&mut self) -> Option<broadcast::Receiver<Notification>> {
        self.notifications.take()
    }

    fn notified(&mut self, notification: Notification) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            if self.protocol.answered_endpoint() != Some(notification.endpoint) {
                return Ok(());
            }
            let writes = self.protocol.notified(&notification.data);
            write_each(&*self.hardware, writes).await
        })
    }

    fn halt(
        &mut self,
        feature_index: u32,
        output_type: OutputType,
    ) -> BoxFuture<'_, Result<(), HardwareError>> {
        let writes = self.protocol.halt(feature_index, output_type);
        Box::pin(write_each(&*self.hardware, writes))
    }

    fn send_keepalive<'a>(
        &'a mut self,
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        let writes = self.protocol.keepalive_writes(state);
        Box::pin(write_each(&*self.hardware, writes))
    }
}

/// Writes `writes` in order, stopping at the first that fails.
async fn write_each(
    hardware: &dyn Hardware,
    writes: Vec<HardwareWrite>,
) -> Result<(), HardwareError> {
    for write in writes {
        hardware.write(write).await?;
    }
    Ok(())
}

//! Shared shapes of the reads protocols make: waiting for the notification a device answers
//! with, picking a reading out of a reply, and the battery reads many protocols share.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::InputType;
use tokio::sync::broadcast;

use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};

/// How long a device may take to answer a read.
pub const READ_TIMEOUT: Duration = Duration::from_millis(500);

/// A battery read that reads `endpoint` and takes the level `pick` finds in its reply (the
/// standard BLE battery characteristic, or a vendor's status block).
pub(crate) fn battery_from_read(
    hardware: Arc<dyn Hardware>,
    input_type: InputType,
    endpoint: Endpoint,
    pick: fn(&[u8]) -> Option<u8>,
) -> BoxFuture<'static, Result<i32, HardwareError>> {
    Box::pin(async move {
        battery_only(input_type)?;
        let data = hardware.read(endpoint, READ_TIMEOUT).await?;
        byte_reading(endpoint, data, pick)
    })
}

/// A battery read that writes `request` and takes the level `pick` finds in the next
/// notification from `answer` (subscribed to first, and listened to before asking, so a quick
/// answer is not missed).
pub(crate) fn battery_from_answer(
    hardware: Arc<dyn Hardware>,
    input_type: InputType,
    request: HardwareWrite,
    answer: Endpoint,
    pick: fn(&[u8]) -> Option<u8>,
) -> BoxFuture<'static, Result<i32, HardwareError>> {
    Box::pin(async move {
        battery_only(input_type)?;
        let mut answers = hardware.notifications();
        hardware.subscribe(answer).await?;
        hardware.write(request).await?;
        let data = next_notification(&mut answers, answer, READ_TIMEOUT)
            .await?
            .ok_or(HardwareError::Timeout)?;
        byte_reading(answer, data, pick)
    })
}

/// The only input most protocols read is the battery.
pub(crate) fn battery_only(input_type: InputType) -> Result<(), HardwareError> {
    if input_type == InputType::Battery {
        Ok(())
    } else {
        Err(HardwareError::NotReadable(input_type))
    }
}

/// The level (or other one-byte reading) `pick` finds in a reply `data` from `endpoint`;
/// `BadReply` when it finds none.
pub(crate) fn byte_reading(
    endpoint: Endpoint,
    data: Vec<u8>,
    pick: impl FnOnce(&[u8]) -> Option<u8>,
) -> Result<i32, HardwareError> {
    match pick(&data) {
        Some(level) => Ok(i32::from(level)),
        None => Err(HardwareError::BadReply { endpoint, data }),
    }
}

/// The first notification `pick` takes something from, skipping any missed while busy; `Err`
/// when the device is gone. For protocols that listen until the device says something.
pub(crate) async fn next_picked<T>(
    notifications: &mut broadcast::Receiver<Notification>,
    mut pick: impl FnMut(Notification) -> Option<T>,
) -> Result<T, HardwareError> {
    loop {
        match notifications.recv().await {
            Ok(n) => {
                if let Some(picked) = pick(n) {
                    return Ok(picked);
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return Err(HardwareError::Disconnected),
        }
    }
}

/// [`next_picked`] within `limit` (`None`: nothing `pick` takes came).
pub(crate) async fn next_picked_within<T>(
    notifications: &mut broadcast::Receiver<Notification>,
    limit: Duration,
    pick: impl FnMut(Notification) -> Option<T>,
) -> Result<Option<T>, HardwareError> {
    match tokio::time::timeout(limit, next_picked(notifications, pick)).await {
        Ok(picked) => picked.map(Some),
        Err(_) => Ok(None),
    }
}

/// The data of the next notification from `endpoint` within `limit` (`None`: none came);
/// `Err` when the device is gone. For handshakes that wait for the device's answer.
pub(crate) async fn next_notification(
    notifications: &mut broadcast::Receiver<Notification>,
    endpoint: Endpoint,
    limit: Duration,
) -> Result<Option<Vec<u8>>, HardwareError> {
    next_picked_within(notifications, limit, |n| {
        (n.endpoint == endpoint).then_some(n.data)
    })
    .await
}

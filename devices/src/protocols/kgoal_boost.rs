//! KGoal Boost (`kgoal-boost`): a pelvic-floor trainer with no outputs. Its pressure sensor
//! notifies on `rxpressure` (subscribed once the device is listed), seven bytes
//! `00 01 04 NN NN RR RR`: the normalised reading (`NN NN`, feature 0) and the raw one
//! (`RR RR`, feature 1), both big-endian `u16`s. Each is reported when it changes. The battery
//! (feature 2) is read from the standard BLE battery endpoint.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::{self, BoxStream};
use plugwire_core::message::{InputReadingValue, InputType, OutputCommand};
use tokio::sync::broadcast;
use tracing::warn;

use crate::hardware::{Endpoint, Hardware, HardwareWrite, Notification};
use crate::protocol::{OutputState, Protocol};
use crate::protocol::reads::next_picked;

/// The feature reporting the normalised pressure; the raw one is the next.
const NORMALISED_FEATURE: u32 = 0;
const RAW_FEATURE: u32 = 1;

/// The protocol for any `kgoal-boost` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KGoalBoost))
}

/// The last pressures reported, to report only changes.
#[derive(Debug, Default)]
pub(super) struct Pressures {
    normalised: Option<u16>,
    raw: Option<u16>,
}

impl Pressures {
    /// The readings a notification brings that differ from the last ones reported.
    pub(super) fn update(&mut self, data: &[u8]) -> Vec<(u32, InputReadingValue)> {
        let (Some(normalised), Some(raw)) = (be_u16(data, 3), be_u16(data, 5)) else {
            warn!(
                ?data,
                "a KGoal Boost pressure notification too short to read"
            );
            return Vec::new();
        };
        let mut readings = Vec::new();
        for (feature, last, now) in [
            (NORMALISED_FEATURE, &mut self.normalised, normalised),
            (RAW_FEATURE, &mut self.raw, raw),
        ] {
            if *last != Some(now) {
                *last = Some(now);
                readings.push((
                    feature,
                    InputReadingValue::new(InputType::Pressure, i32::from(now)),
                ));
            }
        }
        readings
    }
}

/// The big-endian `u16` at `at`, if the data is long enough.
fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    <[u8; 2]>::try_from(bytes).ok().map(u16::from_be_bytes)
}

/// Every pressure change the notifications bring, until the device is gone.
fn pressure_changes(
    notifications: broadcast::Receiver<Notification>,
) -> BoxStream<'static, (u32, InputReadingValue)> {
    stream::unfold(
        (notifications, Pressures::default()),
        |(mut notifications, mut pressures)| async move {
            let readings = next_picked(&mut notifications, |n| {
                let readings =
                    (n.endpoint == Endpoint::RxPressure).then(|| pressures.update(&n.data))?;
                (!readings.is_empty()).then_some(readings)
            });
            // Gone: the stream ends.
            let readings = readings.await.ok()?;
            Some((readings, (notifications, pressures)))
        },
    )
    .flat_map(stream::iter)
    .boxed()
}

#[derive(Debug)]
struct KGoalBoost;

impl Protocol for KGoalBoost {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        Vec::new()
    }

    fn input_reports(
        &mut self,
        hardware: Arc<dyn Hardware>,
    ) -> Option<BoxStream<'static, (u32, InputReadingValue)>> {
        // Listening before subscribing, so the first notification is not missed.
        let notifications = hardware.notifications();
        let subscribed = async move {
            match hardware.subscribe(Endpoint::RxPressure).await {
                Ok(()) => Some(pressure_changes(notifications)),
                Err(error) => {
                    warn!(%error, "the KGoal Boost's pressure sensor could not be subscribed");
                    None
                }
            }
        };
        Some(
            stream::once(subscribed)
                .filter_map(std::future::ready)
                .flatten()
                .boxed(),
        )
    }
}

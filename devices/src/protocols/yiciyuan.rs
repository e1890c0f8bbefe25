//! Yiciyuan (`yiciyuan`): every motor in one 16-byte packet on tx, without response:
//! `35 12 STROKE VIBE AXIS` and eleven zeros, the stroker (oscillate, feature 0) and the two
//! vibrators (features 1 and 2) each as a level 0–20 from their 0–100 speed, rounded half
//! up.
//!
//! The battery is not asked for: the cup pushes it about once a second as a notification on
//! `rxblebattery`, `35 13 01 LEVEL …`, among other frames there (`35 14` uptime ticks,
//! `35 10` device information), which are skipped.

use std::sync::Arc;
use std::time::Duration;

use plugwire_core::message::{InputType, OutputCommand, OutputType};

use super::packet::{tx, value_of};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{OutputState, Protocol, Reading};
use crate::protocol::reads::{battery_only, next_picked_within};

/// The device's top level.
const TOP_LEVEL: i32 = 20;
/// How long to wait for a battery push: it comes about once a second.
const BATTERY_WAIT: Duration = Duration::from_secs(3);
/// Each motor's feature and output type, in packet order.
const MOTORS: [(u32, OutputType); 3] = [
    (0, OutputType::Oscillate),
    (1, OutputType::Vibrate),
    (2, OutputType::Vibrate),
];

/// The protocol for any `yiciyuan` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Yiciyuan))
}

/// A 0–100 speed as the device's 0–20 level, rounded half up.
fn level(speed: i32) -> u8 {
    let level = (speed.clamp(0, 100) * TOP_LEVEL + 50) / 100;
    u8::try_from(level).unwrap_or(u8::MAX)
}

/// The battery level in a pushed frame, if it is a battery frame.
fn battery_push(frame: &[u8]) -> Option<u8> {
    match frame {
        [0x35, 0x13, _, level, ..] => Some(*level),
        _ => None,
    }
}

#[derive(Debug)]
struct Yiciyuan;

impl Protocol for Yiciyuan {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !changed
            .iter()
            .any(|(f, c)| MOTORS.contains(&(*f, c.output_type())))
        {
            return Vec::new();
        }
        let mut packet = vec![0x35, 0x12];
        packet.extend(MOTORS.map(|(feature, t)| level(value_of(state, feature, t))));
        packet.resize(16, 0x00);
        tx(packet, false)
    }

    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> Reading {
        Box::pin(async move {
            battery_only(input_type)?;
            let mut pushes = hardware.notifications();
            hardware.subscribe(Endpoint::RxBleBattery).await?;
            let level = next_picked_within(&mut pushes, BATTERY_WAIT, |n| {
                (n.endpoint == Endpoint::RxBleBattery)
                    .then(|| battery_push(&n.data))
                    .flatten()
            });
            level.await?.map(i32::from).ok_or(HardwareError::Timeout)
        })
    }
}

//! Kiiroo, first generation (`kiiroo-v1`): the Pearl vibrator and the Onyx stroker, both
//! driven by ASCII text on tx without response: the level 0–4 followed by `,\n` (`3,\n`).
//! On the Pearl the level is the vibration speed; on the Onyx it is where its rings close,
//! reached as fast as the rings go (the move's duration has no place in the packet).
//!
//! (buttplug-rs has no driver for this protocol; the packet is from Buttplug's protocol
//! documentation, STPIHKAL, "Kiiroo Onyx/Pearl 1".)

use plugwire_core::message::OutputCommand;

use super::packet::OutputPackets;
use crate::protocol::Protocol;

/// The highest level the devices take.
const TOP_LEVEL: i32 = 4;

/// The protocol for any `kiiroo-v1` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(OutputPackets {
        packet,
        with_response: false,
    }))
}

/// The packet for an output's command on a feature, if the device has that output.
fn packet(_: u32, command: OutputCommand) -> Option<Vec<u8>> {
    let level = match command {
        OutputCommand::Vibrate(speed) => speed.value,
        OutputCommand::HwPositionWithDuration(move_to) => move_to.value,
        _ => return None,
    };
    Some(format!("{},\n", level.clamp(0, TOP_LEVEL)).into_bytes())
}

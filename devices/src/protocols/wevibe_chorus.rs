//! We-Vibe Chorus (`wevibe-chorus`): the Chorus and the Sync 2, Sync O and Sync Lite. Both
//! motors (0–30) in one packet on tx, with response:
//! `0f 03 00 INTERNAL EXTERNAL RUNNING 00 00`, `RUNNING` having bit 0 set while the internal
//! motor (feature 0) runs and bit 1 while the external one (feature 1) does; with both stopped
//! the packet is `0f 00 00 00 00 00 00 00`. A one-motor model sends its speed as both.

use super::packet::TwoVibrators;
use crate::protocol::Protocol;

/// The protocol for any `wevibe-chorus` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TwoVibrators::new(packets, true)))
}

/// The packet for the internal motor at `internal` and the external one, if the model has
/// one of its own, at `external`.
fn packets(internal: u8, external: Option<u8>) -> Vec<Vec<u8>> {
    let external = external.unwrap_or(internal);
    let packet = if internal == 0 && external == 0 {
        vec![0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    } else {
        let running = u8::from(internal != 0) | u8::from(external != 0) << 1;
        vec![0x0f, 0x03, 0x00, internal, external, running, 0x00, 0x00]
    };
    vec![packet]
}

//! Kiiroo v2.1, initialised (`kiiroo-v21-initialized`): the Onyx 2.1, Onyx+ and Keon. The
//! packets are Kiiroo v2.1's (`03 00 SPEED POSITION` on tx without response, see
//! `kiiroo_v21`), but the device first takes `03 00 64 19` then `03 00 64 00` on tx, with
//! response, and wants its last packet again every two seconds it hears nothing.

use std::time::Duration;

use plugwire_core::message::OutputCommand;

use super::kiiroo_v21::KiirooStroker;
use super::packet::per_output;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// How long the device goes without a packet before it needs the last one again.
const REPEAT_EVERY: Duration = Duration::from_secs(2);

/// The protocol for any `kiiroo-v21-initialized` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(KiirooV21Initialized::default()))
}

#[derive(Debug, Default)]
struct KiirooV21Initialized {
    stroker: KiirooStroker,
    /// The last packet written, repeated as the keep-alive.
    last: Option<HardwareWrite>,
}

impl Protocol for KiirooV21Initialized {
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        [[0x03, 0x00, 0x64, 0x19], [0x03, 0x00, 0x64, 0x00]]
            .into_iter()
            .map(|data| HardwareWrite::new(Endpoint::Tx, data, true))
            .collect()
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let writes = per_output(changed, false, |_, command| self.stroker.packet(command));
        if let Some(last) = writes.last() {
            self.last = Some(last.clone());
        }
        writes
    }

    fn written(&mut self, success: bool) {
        self.stroker.written(success);
    }

    fn keepalive(&self) -> Option<Duration> {
        Some(REPEAT_EVERY)
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        self.last.iter().cloned().collect()
    }
}

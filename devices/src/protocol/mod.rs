//! Device protocols: how a model is identified and initialised, how output values become
//! hardware writes, and how input readings are read. Protocols only see the [`Hardware`] seam.

mod kiiroo_v2;
mod kiiroo_v21;
mod lovense;
mod magic_motion_1;
mod packet;
mod svakom_v1;
mod vorze_sa;
mod wevibe;
mod wevibe_8bit;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{DeviceFeature, InputType, OutputCommand};

use super::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use super::scheduler::{DeviceDriver, OutputState};

pub use kiiroo_v2::launch_speed;
pub use lovense::{battery_level, model_code};
use packet::battery_only;

/// How long a device may take to answer a read.
pub const READ_TIMEOUT: Duration = Duration::from_millis(500);

/// One device family's protocol.
pub trait Protocol: Send + 'static {
    /// Asks the device which model it is, for protocols whose devices say so themselves
    /// (Lovense). `None`: the advertised name identifies it.
    fn identify<'a>(
        &'a mut self,
        _hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        Box::pin(async { Ok(None) })
    }

    /// Learns the model's features (from the device configuration), for protocols whose
    /// packets depend on how many motors a model has.
    fn configure(&mut self, _features: &[DeviceFeature]) {}

    /// Writes the device needs once connected and identified.
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// The writes that bring the device to `state`; `changed` says which outputs changed.
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite>;

    /// Told whether the writes from the last [`Protocol::writes`] all reached the device, so
    /// state those writes change on the device (a direction, a position) is only kept when
    /// they did.
    fn written(&mut self, _success: bool) {}

    /// Starts reading an input. The future owns what it needs (the hardware handle, copies of
    /// any state), so writes go on while it runs. The default reads one byte from the standard
    /// BLE battery endpoint.
    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        Box::pin(async move {
            battery_only(input_type)?;
            let data = hardware.read(Endpoint::RxBleBattery, READ_TIMEOUT).await?;
            data.first()
                .map(|level| i32::from(*level))
                .ok_or(HardwareError::BadReply {
                    endpoint: Endpoint::RxBleBattery,
                    data,
                })
        })
    }

    /// How often the device must hear from us even when nothing changes.
    fn keepalive(&self) -> Option<Duration> {
        None
    }
}

/// Makes a protocol for a device advertising the given name (`None`: this protocol has no
/// driver for that model).
type MakeProtocol = fn(&str) -> Option<Box<dyn Protocol>>;

/// Every protocol implemented here, by its name in the device configuration. Adding one is a
/// file and a line here.
const REGISTRY: &[(&str, MakeProtocol)] = &[
    ("kiiroo-v2", kiiroo_v2::protocol),
    ("kiiroo-v21", kiiroo_v21::protocol),
    ("lovense", lovense::protocol),
    ("magic-motion-1", magic_motion_1::protocol),
    ("svakom-v1", svakom_v1::protocol),
    ("vorze-sa", vorze_sa::protocol),
    ("wevibe", wevibe::protocol),
    ("wevibe-8bit", wevibe_8bit::protocol),
];

/// The protocol implementation named `name` in the device configuration, for a device
/// advertising `device_name`.
pub fn by_name(name: &str, device_name: &str) -> Option<Box<dyn Protocol>> {
    REGISTRY
        .iter()
        .find(|(registered, _)| *registered == name)
        .and_then(|(_, make)| make(device_name))
}

/// Names of every protocol implemented here.
pub fn implemented() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|(name, _)| *name)
}

/// Whether a protocol of this name is implemented here.
pub fn is_implemented(name: &str) -> bool {
    implemented().any(|registered| registered == name)
}

/// A protocol driving real hardware: what a device's task owns.
pub struct ProtocolDriver {
    protocol: Box<dyn Protocol>,
    hardware: Arc<dyn Hardware>,
}

impl ProtocolDriver {
    /// Joins an initialised protocol to its hardware.
    pub fn new(protocol: Box<dyn Protocol>, hardware: Arc<dyn Hardware>) -> Self {
        Self { protocol, hardware }
    }
}

impl DeviceDriver for ProtocolDriver {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        Box::pin(async move {
            let writes = self.protocol.writes(changed, state);
            let mut result = Ok(());
            for write in writes {
                if let Err(error) = self.hardware.write(write).await {
                    result = Err(error);
                    break;
                }
            }
            self.protocol.written(result.is_ok());
            result
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
}

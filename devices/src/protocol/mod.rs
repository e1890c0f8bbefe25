//! Device protocols: how a model is identified and initialised, how output values become
//! hardware writes, and how input readings are read. Protocols only see the [`Hardware`] seam.

mod kiiroo_v2;
mod lovense;
mod magic_motion;
mod short_packet;
mod vorze_sa;
mod wevibe;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use plugwire_core::message::{DeviceFeature, InputType, OutputCommand, OutputType};

use super::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use super::scheduler::{DeviceDriver, OutputState};

pub use kiiroo_v2::{KiirooV2, launch_speed};
pub use lovense::Lovense;
pub use magic_motion::MagicMotion1;
pub use short_packet::{KiirooV21, SvakomV1};
pub use vorze_sa::VorzeSa;
pub use wevibe::{WeVibe, WeVibe8Bit};

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

/// The protocol implementation named `name` in the device configuration.
pub fn by_name(name: &str, device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(match name {
        "lovense" => Box::new(Lovense::default()),
        "wevibe" => Box::new(WeVibe::default()),
        "wevibe-8bit" => Box::new(WeVibe8Bit::default()),
        "magic-motion-1" => Box::new(MagicMotion1),
        "kiiroo-v21" => Box::new(KiirooV21),
        "svakom-v1" => Box::new(SvakomV1),
        "kiiroo-v2" => Box::new(KiirooV2::default()),
        "vorze-sa" => Box::new(VorzeSa::for_name(device_name)?),
        _ => return None,
    })
}

/// Names of every protocol implemented here.
pub const IMPLEMENTED: &[&str] = &[
    "lovense",
    "wevibe",
    "wevibe-8bit",
    "magic-motion-1",
    "kiiroo-v21",
    "svakom-v1",
    "kiiroo-v2",
    "vorze-sa",
];

/// The value of one output in `state` (0 when never set).
pub(crate) fn value_of(state: &OutputState, feature_index: u32, output_type: OutputType) -> i32 {
    state
        .get(&(feature_index, output_type))
        .map_or(0, OutputCommand::value)
}

/// The only input these protocols read is the battery.
pub(crate) fn battery_only(input_type: InputType) -> Result<(), HardwareError> {
    if input_type == InputType::Battery {
        Ok(())
    } else {
        Err(HardwareError::NotReadable(input_type))
    }
}

/// Every output of a model, in feature order.
pub(crate) fn output_layout(features: &[DeviceFeature]) -> Vec<(u32, OutputType)> {
    features
        .iter()
        .zip(0u32..)
        .flat_map(|(feature, index)| feature.output.keys().map(move |t| (index, *t)))
        .collect()
}

/// A byte from a step value already checked against the feature's range.
pub(crate) fn byte(value: i32) -> u8 {
    u8::try_from(value.clamp(0, 255)).unwrap_or(u8::MAX)
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

//! Galaku pumps (`galaku-pump`, the Nebula): one packet carries both outputs, sealed as
//! Galaku's are (see [`super::galaku::seal`]), on tx with response:
//! `5a 00 00 01 60 03 O V 00 00`, `O` the oscillation speed, `V` the vibration speed.
//! No identification and no initialisation.

use plugwire_core::message::{OutputCommand, OutputType};

use super::galaku::seal;
use super::packet::{byte, output_layout, tx, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `galaku-pump` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(GalakuPump::default()))
}

#[derive(Debug, Default)]
struct GalakuPump {
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
}

impl GalakuPump {
    /// The speed of the model's output of type `output_type` (0 if it has none).
    fn speed(&self, state: &OutputState, output_type: OutputType) -> u8 {
        self.layout
            .iter()
            .find(|(_, t)| *t == output_type)
            .map_or(0, |&(feature, t)| byte(value_of(state, feature, t)))
    }
}

impl Protocol for GalakuPump {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.layout = output_layout(&model.features);
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let oscillation = self.speed(state, OutputType::Oscillate);
        let vibration = self.speed(state, OutputType::Vibrate);
        tx(
            seal([0x5a, 0, 0, 1, 0x60, 3, oscillation, vibration, 0, 0]),
            true,
        )
    }
}

//! Vibratissimo (`vibratissimo`): the model says what it is (its model read from
//! `rxblemodel`, as text). Every change writes two packets without response: `03 ff` to
//! `txmode` (write mode), then every vibrator's speed (0–255, in feature order) to
//! `txvibrate`, padded with a 0 on one-vibrator models. The battery is the standard BLE one.

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::{output_layout, vibration, vibration_changed};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT};

/// What puts the device in write mode.
const WRITE_MODE: [u8; 2] = [0x03, 0xff];

/// The protocol for any `vibratissimo` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Vibratissimo::default()))
}

#[derive(Debug, Default)]
struct Vibratissimo {
    /// The features with a vibrator, in order.
    vibrators: Vec<u32>,
}

impl Protocol for Vibratissimo {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let model = hardware.read(Endpoint::RxBleModel, READ_TIMEOUT).await?;
            // A model that is not text is looked up by the advertised name instead.
            Ok(String::from_utf8(model).ok())
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.vibrators = output_layout(&model.features)
            .into_iter()
            .filter(|(_, t)| *t == OutputType::Vibrate)
            .map(|(feature, _)| feature)
            .collect();
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if !vibration_changed(changed) {
            return Vec::new();
        }
        let mut speeds: Vec<u8> = self
            .vibrators
            .iter()
            .map(|&feature| vibration(state, feature))
            .collect();
        if speeds.len() < 2 {
            speeds.resize(2, 0x00);
        }
        vec![
            HardwareWrite::new(Endpoint::TxMode, WRITE_MODE, false),
            HardwareWrite::new(Endpoint::TxVibrate, speeds, false),
        ]
    }
}

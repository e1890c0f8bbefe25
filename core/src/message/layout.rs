//! How a v4 device looks to v0–v3 clients: its features as the numbered actuator and sensor
//! lists that older messages index into.
//!
//! The same layout produces the device descriptions sent down and resolves the indexes of
//! commands coming up, so the two directions cannot disagree.

use super::v4::{DeviceInfo, InputCommand, InputLimits, InputType, OutputLimits, OutputType};
use crate::ProtocolError;

/// One output of one feature, as legacy messages number it.
#[derive(Debug, Clone, PartialEq)]
pub struct Actuator {
    /// Feature the output belongs to.
    pub feature_index: u32,
    /// The output type.
    pub output_type: OutputType,
    /// Its limits.
    pub limits: OutputLimits,
    /// The feature's description.
    pub description: String,
}

impl Actuator {
    /// Steps a legacy client sees: the top of the range.
    pub fn step_count(&self) -> u32 {
        u32::try_from(self.limits.value.max).unwrap_or(0)
    }

    /// Converts a legacy 0.0–1.0 level to this output's step value: 0 is off, anything above
    /// maps onto the range's non-negative part, rounding up so a small non-zero level never
    /// becomes 0.
    pub fn step_for(&self, level: f64) -> Result<i32, ProtocolError> {
        if !level.is_finite() || !(0.0..=1.0).contains(&level) {
            return Err(ProtocolError::device(format!(
                "level {level} is outside 0.0 to 1.0"
            )));
        }
        if level == 0.0 {
            return Ok(0);
        }
        let low = self.limits.value.min.max(0);
        let high = self.limits.value.max.max(low);
        let span = f64::from(high) - f64::from(low);
        // Between low and high, so the cast cannot truncate.
        Ok(low + (level * span).ceil() as i32)
    }

    /// Whether the output turns both ways (its range reaches below 0).
    pub fn reversible(&self) -> bool {
        self.limits.value.min < 0
    }
}

/// One input of one feature, as v2–v3 sensor messages number it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensor {
    /// Feature the input belongs to.
    pub feature_index: u32,
    /// The input type.
    pub input_type: InputType,
    /// Its limits and commands.
    pub limits: InputLimits,
    /// The feature's description.
    pub description: String,
}

impl Sensor {
    /// The v3 name of the sensor type, if v3 has one.
    pub fn v3_type_name(&self) -> Option<&'static str> {
        v3_sensor_type_name(self.input_type)
    }

    /// Whether the input accepts `command`.
    pub fn supports(&self, command: InputCommand) -> bool {
        self.limits.command.contains(&command)
    }
}

/// The v3 name of an input type (`Rssi` is written `RSSI`); `None` where v3 has none.
pub fn v3_sensor_type_name(input_type: InputType) -> Option<&'static str> {
    match input_type {
        InputType::Battery => Some("Battery"),
        InputType::Rssi => Some("RSSI"),
        InputType::Button => Some("Button"),
        InputType::Pressure => Some("Pressure"),
        InputType::Depth | InputType::Position => None,
    }
}

/// The v3 `ActuatorType` name of an output type usable through `ScalarCmd`.
pub fn v3_actuator_type_name(output_type: OutputType) -> Option<&'static str> {
    match output_type {
        OutputType::Vibrate => Some("Vibrate"),
        OutputType::Rotate => Some("Rotate"),
        OutputType::Oscillate => Some("Oscillate"),
        OutputType::Constrict => Some("Constrict"),
        OutputType::Position => Some("Position"),
        _ => None,
    }
}

/// A device's features numbered the way v0–v3 messages number them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegacyLayout {
    /// Vibrate outputs (`VibrateCmd`, `SingleMotorVibrateCmd`).
    pub vibrators: Vec<Actuator>,
    /// Outputs `ScalarCmd` can drive (v3).
    pub scalars: Vec<Actuator>,
    /// Rotate outputs (`RotateCmd`, `VorzeA10CycloneCmd`).
    pub rotators: Vec<Actuator>,
    /// Position-with-duration outputs (`LinearCmd`, `FleshlightLaunchFW12Cmd`).
    pub linears: Vec<Actuator>,
    /// Inputs with a v3 sensor type (`SensorReadCmd`, `BatteryLevelCmd`, ...).
    pub sensors: Vec<Sensor>,
}

impl LegacyLayout {
    /// Lays out `device`'s features in feature order, outputs in protocol order within each.
    pub fn of(device: &DeviceInfo) -> Self {
        let mut layout = Self::default();
        for feature in device.device_features.values() {
            for (&output_type, limits) in &feature.output {
                let actuator = Actuator {
                    feature_index: feature.feature_index,
                    output_type,
                    limits: *limits,
                    description: feature.feature_description.clone(),
                };
                if v3_actuator_type_name(output_type).is_some() {
                    layout.scalars.push(actuator.clone());
                }
                match output_type {
                    OutputType::Vibrate => layout.vibrators.push(actuator),
                    OutputType::Rotate => layout.rotators.push(actuator),
                    OutputType::HwPositionWithDuration => layout.linears.push(actuator),
                    _ => {}
                }
            }
            for (&input_type, limits) in &feature.input {
                if v3_sensor_type_name(input_type).is_some() {
                    layout.sensors.push(Sensor {
                        feature_index: feature.feature_index,
                        input_type,
                        limits: limits.clone(),
                        description: feature.feature_description.clone(),
                    });
                }
            }
        }
        layout
    }

    /// The first sensor of `input_type` that accepts `command`.
    pub fn first_sensor(&self, input_type: InputType, command: InputCommand) -> Option<&Sensor> {
        self.sensors
            .iter()
            .find(|s| s.input_type == input_type && s.supports(command))
    }

    /// The legacy index of the sensor on `feature_index` of `input_type`.
    pub fn sensor_index(&self, feature_index: u32, input_type: InputType) -> Option<u32> {
        let position = self
            .sensors
            .iter()
            .position(|s| s.feature_index == feature_index && s.input_type == input_type)?;
        u32::try_from(position).ok()
    }
}

/// Looks up entry `index` of a legacy list, or says which index was wrong.
pub(crate) fn nth<'a, T>(list: &'a [T], index: u32, what: &str) -> Result<&'a T, ProtocolError> {
    usize::try_from(index)
        .ok()
        .and_then(|i| list.get(i))
        .ok_or_else(|| {
            ProtocolError::device(format!(
                "{what} index {index} does not exist (the device has {})",
                list.len()
            ))
        })
}

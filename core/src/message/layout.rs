//! How a v4 device looks to v0–v3 clients: its features as the numbered actuator and sensor
//! lists that older messages index into.
//!
//! The same layout produces the device descriptions sent down and resolves the indexes of
//! commands coming up, so the two directions cannot disagree.

use super::v4::{DeviceInfo, InputCommand, InputLimits, InputType, OutputLimits, OutputType};
use crate::ErrorReply;

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
    /// Steps a legacy client sees: the steps of the range's non-negative part, those its
    /// 0.0–1.0 levels are spread over (see [`Actuator::step_for`]). For a range from 0 (or
    /// mirrored around it) that is the top of the range; for a user's narrower range from
    /// elsewhere, `[5, 15]`, it is 10, as Buttplug counts it.
    pub fn step_count(&self) -> u32 {
        let low = self.limits.value.min.max(0);
        let high = self.limits.value.max.max(low);
        u32::try_from(high - low).unwrap_or(0)
    }

    /// Converts a legacy 0.0–1.0 speed or intensity to this output's step value as Buttplug
    /// does: below a millionth is off (0); anything above is `ceil(level × steps)` (the
    /// product taken in f64 first, so 0.07 of 100 steps is 8, as there), on the range's
    /// non-negative part.
    pub fn step_for(&self, level: f64) -> Result<i32, ErrorReply> {
        let (low, span) = self.checked(level)?;
        if level < 0.000_001 {
            return Ok(0);
        }
        // Between 0 and span, so the cast cannot truncate.
        Ok(low + (level * f64::from(span)).ceil() as i32)
    }

    /// Converts a legacy 0.0–1.0 position (`LinearCmd`) to this output's step value as
    /// Buttplug does: truncated, so 0.5 of 0–99 is 49.
    pub fn position_for(&self, level: f64) -> Result<i32, ErrorReply> {
        let (low, span) = self.checked(level)?;
        // Between 0 and span, so the cast cannot truncate.
        Ok(low + (level * f64::from(span)) as i32)
    }

    /// Converts a 0–99 value of the oldest commands (`FleshlightLaunchFW12Cmd` positions,
    /// `VorzeA10CycloneCmd` speeds) to this output's step value in integers, so that on a
    /// 0–99 range every value is itself (through floats, 13, 26, 52 and 57 were one off).
    /// A non-zero value never becomes 0.
    pub fn step_for_hundredths(&self, value: u32) -> Result<i32, ErrorReply> {
        if value > 99 {
            return Err(ErrorReply::device(format!("{value} is outside 0 to 99")));
        }
        let (low, span) = self.checked(0.0)?;
        let span = u64::from(span.unsigned_abs());
        let steps = (u64::from(value) * span).div_ceil(99);
        Ok(low + i32::try_from(steps).unwrap_or(i32::MAX))
    }

    /// The level checked, and the range's non-negative part as (start, steps).
    fn checked(&self, level: f64) -> Result<(i32, i32), ErrorReply> {
        if !level.is_finite() || !(0.0..=1.0).contains(&level) {
            return Err(ErrorReply::device(format!(
                "level {level} is outside 0.0 to 1.0"
            )));
        }
        let low = self.limits.value.min.max(0);
        let high = self.limits.value.max.max(low);
        Ok((low, high - low))
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
pub(crate) fn nth<'a, T>(list: &'a [T], index: u32, what: &str) -> Result<&'a T, ErrorReply> {
    usize::try_from(index)
        .ok()
        .and_then(|i| list.get(i))
        .ok_or_else(|| {
            ErrorReply::device(format!(
                "{what} index {index} does not exist (the device has {})",
                list.len()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::v4::Range;

    fn actuator(min: i32, max: i32) -> Actuator {
        Actuator {
            feature_index: 0,
            output_type: OutputType::Vibrate,
            limits: OutputLimits {
                value: Range::new(min, max),
                duration: None,
            },
            description: String::new(),
        }
    }

    #[test]
    fn speeds_round_up_as_buttplug_does() {
        let twenty = actuator(0, 20);
        assert_eq!(twenty.step_for(0.5), Ok(10));
        assert_eq!(twenty.step_for(0.51), Ok(11));
        // Below a millionth is off; just above is the first step.
        assert_eq!(twenty.step_for(0.000_000_5), Ok(0));
        assert_eq!(twenty.step_for(0.000_01), Ok(1));
        // The f64 product first, as there: 0.07 × 100 is 7.000000000000001.
        assert_eq!(actuator(0, 100).step_for(0.07), Ok(8));
        assert!(twenty.step_for(1.5).is_err());
        assert!(twenty.step_for(f64::NAN).is_err());
    }

    #[test]
    fn steps_are_counted_over_the_range_a_level_spreads_over() {
        assert_eq!(actuator(0, 20).step_count(), 20);
        assert_eq!(actuator(-20, 20).step_count(), 20);
        // A user's 5–15 of a 0–20 motor: 10 steps, 0.5 of them is 5 above its start.
        let narrowed = actuator(5, 15);
        assert_eq!(narrowed.step_count(), 10);
        assert_eq!(narrowed.step_for(0.5), Ok(10));
        assert_eq!(narrowed.step_for(0.0), Ok(0));
    }

    #[test]
    fn positions_truncate_as_buttplug_does() {
        let launch = actuator(0, 99);
        assert_eq!(launch.position_for(0.5), Ok(49));
        assert_eq!(launch.position_for(1.0), Ok(99));
        assert_eq!(launch.position_for(0.0), Ok(0));
        assert_eq!(actuator(0, 100).position_for(0.29), Ok(28));
    }

    #[test]
    fn the_oldest_commands_convert_in_integers() {
        let launch = actuator(0, 99);
        for value in 0..=99 {
            assert_eq!(launch.step_for_hundredths(value), Ok(value as i32));
        }
        let twenty = actuator(0, 20);
        assert_eq!(twenty.step_for_hundredths(1), Ok(1));
        assert_eq!(twenty.step_for_hundredths(99), Ok(20));
        assert!(twenty.step_for_hundredths(100).is_err());
    }
}

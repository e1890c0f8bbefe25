//! Lovense (`lovense`): text commands on tx, replies as notifications on rx, no write
//! responses. The model says what it is when asked `DeviceType;`; its features (from the
//! database) decide which command shape it takes:
//!
//! | model | commands |
//! |---|---|
//! | one output (Lush, Hush, Sex Machine, ...) | `Vibrate:N;` |
//! | two outputs (Edge, Dolce, Gravity, Spinel, ...) | `Vibrate1:N;`, `Vibrate2:N;` (oscillation too) |
//! | three or more (Flexer FW3, Lapis) | `Mply:a:b:c;`, every output's current value |
//! | vibrator + rotator (Nora, Velvo, Ridge) | `Vibrate:N;`, `Rotate:N;` after `RotateChange;` when the direction flips (a toggle: the toy keeps its direction through a stop) |
//! | vibrator + air pump (Max) | `Vibrate:N;`, `Air:Level:N;` |
//! | strokers (Solace `H`, Solace Pro `BA`) | `Mply:speed:20;` (`Mply:0:0;` to stop the Solace), moves as `FSetSite:P;` every 100 ms |
//!
//! Identification asks `DeviceType;` up to six times, 500 ms each; a device that never
//! answers is identified from its name (`LVS-Z36` is a `Z`), and failing that gets the
//! protocol's defaults.

use std::sync::Arc;
use std::time::Duration;

use plugwire_core::message::{InputType, OutputCommand, OutputType};

use super::packet::{output_layout, value_of};
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::protocol::{Identified, OutputState, Protocol, READ_TIMEOUT, Reading};
use crate::protocol::reads::{battery_only, next_notification};

/// How many times `DeviceType;` is asked before the name is used instead.
const IDENTIFY_ATTEMPTS: usize = 6;
/// How often a stroker moving to a position takes a step.
const STROKER_STEP: Duration = Duration::from_millis(100);

/// The protocol for any `lovense` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Lovense::default()))
}

/// The command shape a model takes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `Vibrate:N;` for its one output.
    #[default]
    Single,
    /// `VibrateN:M;` per output.
    Dual,
    /// `Mply:` with every output.
    Multi,
    /// `Vibrate:N;` and `Rotate:N;`.
    RotateVibrator,
    /// `Vibrate:N;` and `Air:Level:N;`.
    Max,
    /// `Mply:speed:range;` and `FSetSite:` moves; `zeroed_range`: a stop sends `Mply:0:0;`.
    Stroker { zeroed_range: bool },
}

/// A stroker's way to a goal position, a step each [`STROKER_STEP`].
#[derive(Debug, Default, Clone, Copy)]
struct Stroke {
    position: i32,
    goal: i32,
    duration_ms: u32,
    /// The goal the current step size was worked out for.
    planned_goal: i32,
    step: i32,
}

#[derive(Debug, Default)]
struct Lovense {
    /// What the device said it is.
    model: String,
    shape: Shape,
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
    /// The direction the rotator is set to turn (it starts clockwise: Lovense cannot report
    /// it). `RotateChange;` toggles it, and nothing else changes it: a zero speed stops the
    /// rotator but leaves it set to turn the same way once it starts again.
    clockwise: bool,
    /// The direction the last writes will leave it in, kept once they are written.
    pending_clockwise: Option<bool>,
    stroke: Stroke,
}

fn text(command: &str) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, command.as_bytes(), false)
}

/// The model code from a `DeviceType;` reply such as `Z:11:0082059AD3BD;` (`EI` from firmware
/// 3 on is `EI-FW3`); a reply without fields names no model.
pub fn model_code(reply: &str) -> String {
    let mut fields = reply.split(':');
    let (Some(model), Some(firmware)) = (fields.next(), fields.next()) else {
        return "lovense".to_owned();
    };
    let firmware: i32 = firmware.parse().unwrap_or(0);
    if model == "EI" && firmware >= 3 {
        "EI-FW3".to_owned()
    } else {
        model.to_owned()
    }
}

/// The model code in an advertised name such as `LVS-Z36`: the capitals after `LVS-`, when a
/// digit follows them.
pub fn model_from_name(name: &str) -> Option<String> {
    name.match_indices("LVS-").find_map(|(at, prefix)| {
        let rest = &name[at + prefix.len()..];
        let capitals = rest
            .find(|c: char| !c.is_ascii_uppercase())
            .unwrap_or(rest.len());
        let followed_by_digit = rest[capitals..].starts_with(|c: char| c.is_ascii_digit());
        (capitals > 0 && followed_by_digit).then(|| rest[..capitals].to_owned())
    })
}

/// The level from a `Battery;` reply such as `85;` (some models prefix an `s`).
pub fn battery_level(reply: &str) -> Option<i32> {
    let body = reply.strip_suffix(';').unwrap_or(reply);
    let body = if reply.contains('s') {
        body.get(1..)?
    } else {
        body
    };
    body.parse::<u8>().ok().map(i32::from)
}

impl Lovense {
    /// `Rotate:N;`, after `RotateChange;` when the toy is set to turn the other way. A zero
    /// speed has no direction: it neither toggles nor forgets the one the toy holds, so
    /// counter-clockwise, zero, clockwise toggles back (as buttplug-rs 12 does; its older Nora
    /// case, which expects the toy back at clockwise after a stop, no longer holds).
    fn rotate(&mut self, value: i32, writes: &mut Vec<HardwareWrite>) {
        let current = self.pending_clockwise.unwrap_or(self.clockwise);
        if value != 0 && (value > 0) != current {
            self.pending_clockwise = Some(value > 0);
            writes.push(text("RotateChange;"));
        }
        writes.push(text(&format!("Rotate:{};", value.unsigned_abs())));
    }

    fn mply(&self, state: &OutputState) -> HardwareWrite {
        let values: Vec<String> = self
            .layout
            .iter()
            .map(|&(feature, output_type)| {
                value_of(state, feature, output_type)
                    .unsigned_abs()
                    .to_string()
            })
            .collect();
        text(&format!("Mply:{};", values.join(":")))
    }

    /// The next `FSetSite:` of a stroker on its way to a goal, if it is moving.
    fn stroke_step(&mut self) -> Option<HardwareWrite> {
        let stroke = &mut self.stroke;
        if stroke.planned_goal != stroke.goal {
            stroke.planned_goal = stroke.goal;
            let steps = i32::try_from((stroke.duration_ms / 100).max(1)).unwrap_or(i32::MAX);
            let distance = stroke.goal - stroke.position;
            stroke.step = distance / steps;
            if stroke.step == 0 {
                stroke.step = distance.signum();
            }
        }
        if stroke.position == stroke.planned_goal {
            return None;
        }
        let next = stroke.position + stroke.step;
        stroke.position = if stroke.step > 0 {
            next.min(stroke.planned_goal)
        } else {
            next.max(stroke.planned_goal)
        };
        Some(text(&format!("FSetSite:{};", stroke.position)))
    }
}

impl Protocol for Lovense {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> Identified<'a> {
        Box::pin(async move {
            let mut replies = hardware.notifications();
            hardware.subscribe(Endpoint::Rx).await?;
            for _ in 0..IDENTIFY_ATTEMPTS {
                hardware.write(text("DeviceType;")).await?;
                if let Some(reply) =
                    next_notification(&mut replies, Endpoint::Rx, READ_TIMEOUT).await?
                {
                    self.model = model_code(&String::from_utf8_lossy(&reply));
                    return Ok(Some(self.model.clone()));
                }
            }
            // Silent: the name may say the model; else the protocol's defaults.
            self.model = model_from_name(hardware.name()).unwrap_or_default();
            Ok(Some(self.model.clone()))
        })
    }

    fn configure(&mut self, model: &DeviceDefinition) {
        self.layout = output_layout(&model.features);
        self.clockwise = true;
        let with = |t: OutputType| {
            model
                .features
                .iter()
                .filter(|f| f.output.contains_key(&t))
                .count()
        };
        let outputs = model
            .features
            .iter()
            .filter(|f| !f.output.is_empty())
            .count();
        let vibrators = model
            .features
            .iter()
            .filter(|f| {
                f.output.contains_key(&OutputType::Vibrate)
                    || f.output.contains_key(&OutputType::Oscillate)
            })
            .count();
        let two_with =
            |other: OutputType| outputs == 2 && with(OutputType::Vibrate) == 1 && with(other) == 1;
        self.shape = if self.model == "BA" || self.model == "H" {
            Shape::Stroker {
                zeroed_range: self.model == "H",
            }
        } else if outputs == 1 {
            Shape::Single
        } else if two_with(OutputType::Constrict) {
            Shape::Max
        } else if two_with(OutputType::Rotate) {
            Shape::RotateVibrator
        } else if (vibrators == 2 && outputs > 2) || vibrators > 2 {
            Shape::Multi
        } else {
            Shape::Dual
        };
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        if self.shape == Shape::Multi {
            return vec![self.mply(state)];
        }
        let mut writes = Vec::new();
        for &(feature, command) in changed {
            let value = command.value();
            match (self.shape, command) {
                (Shape::Stroker { zeroed_range }, OutputCommand::Oscillate(_)) => {
                    if value == 0 {
                        // A stop also ends a move in progress.
                        self.stroke.goal = self.stroke.position;
                        self.stroke.duration_ms = 0;
                    }
                    let range = if value == 0 && zeroed_range { 0 } else { 20 };
                    writes.push(text(&format!("Mply:{value}:{range};")));
                }
                (Shape::Stroker { .. }, OutputCommand::HwPositionWithDuration(move_to)) => {
                    self.stroke.duration_ms = move_to.duration;
                    self.stroke.goal = move_to.value;
                }
                (Shape::Dual, OutputCommand::Vibrate(_) | OutputCommand::Oscillate(_)) => {
                    writes.push(text(&format!("Vibrate{}:{value};", feature + 1)));
                }
                (_, OutputCommand::Vibrate(_) | OutputCommand::Oscillate(_)) => {
                    writes.push(text(&format!("Vibrate:{value};")));
                }
                (Shape::RotateVibrator, OutputCommand::Rotate(_)) => {
                    self.rotate(value, &mut writes)
                }
                (Shape::Max, OutputCommand::Constrict(_)) => {
                    writes.push(text(&format!("Air:Level:{value};")));
                }
                _ => {}
            }
        }
        writes
    }

    fn written(&mut self, success: bool) {
        if let Some(clockwise) = self.pending_clockwise.take()
            && success
        {
            self.clockwise = clockwise;
        }
    }

    fn halt(&mut self, _feature_index: u32, output_type: OutputType) -> Vec<HardwareWrite> {
        let Shape::Stroker { zeroed_range } = self.shape else {
            return Vec::new();
        };
        let stroke = &mut self.stroke;
        if output_type != OutputType::HwPositionWithDuration || stroke.position == stroke.goal {
            return Vec::new();
        }
        // Freeze where it is, and tell the stroker to stand still (as a stop of its speed does).
        stroke.goal = stroke.position;
        stroke.planned_goal = stroke.position;
        stroke.duration_ms = 0;
        let range = if zeroed_range { 0 } else { 20 };
        vec![text(&format!("Mply:0:{range};"))]
    }

    fn keepalive(&self) -> Option<Duration> {
        matches!(self.shape, Shape::Stroker { .. }).then_some(STROKER_STEP)
    }

    fn keepalive_writes(&mut self, _state: &OutputState) -> Vec<HardwareWrite> {
        self.stroke_step().into_iter().collect()
    }

    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> Reading {
        Box::pin(async move {
            battery_only(input_type)?;
            let mut replies = hardware.notifications();
            hardware.write(text("Battery;")).await?;
            // Other traffic on rx (the `OK;` of each command) is skipped; the wait starts
            // again after each.
            loop {
                match next_notification(&mut replies, Endpoint::Rx, READ_TIMEOUT).await? {
                    Some(reply) => {
                        if let Some(level) = battery_level(&String::from_utf8_lossy(&reply)) {
                            return Ok(level);
                        }
                    }
                    None => return Err(HardwareError::Timeout),
                }
            }
        })
    }
}

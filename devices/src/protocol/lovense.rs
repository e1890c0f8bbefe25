//! Lovense (`lovense`): text commands on tx, replies on rx; the model says what it is when asked
//! `DeviceType;`.

use std::sync::Arc;

use futures::future::BoxFuture;
use plugwire_core::message::{DeviceFeature, InputType, OutputCommand, OutputType};

use super::packet::{battery_only, output_layout, value_of};
use super::{Protocol, READ_TIMEOUT};
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};
use crate::scheduler::OutputState;

/// The protocol for any `lovense` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(Lovense::default()))
}

/// Lovense devices: `Vibrate:N;` (0–20) for one motor, `Vibrate1:N;`/`Vibrate2:N;` for two,
/// `Rotate:N;` with `RotateChange;` when the direction flips, `Air:Level:N;` for the Max's
/// constriction, and `Mply:a:b:c;` for models with more outputs. Writes without response.
#[derive(Debug, Default)]
struct Lovense {
    /// Whether the rotator turns the opposite way to how it started.
    reversed: bool,
    /// The direction the last writes will leave it in, kept once they are written.
    pending_reversed: Option<bool>,
    /// The model's outputs, in feature order.
    layout: Vec<(u32, OutputType)>,
}

fn text(command: String) -> HardwareWrite {
    HardwareWrite::new(Endpoint::Tx, command.into_bytes(), false)
}

/// Sends `command` on tx and waits for the first reply on rx that `answer` understands. Other
/// traffic on rx (the `OK;` that acknowledges each output command, a late reply to an earlier
/// question) is skipped.
async fn ask<T>(
    hardware: &dyn Hardware,
    command: &str,
    answer: impl Fn(&str) -> Option<T>,
) -> Result<T, HardwareError> {
    let mut replies = hardware.subscribe(Endpoint::Rx).await?;
    hardware.write(text(command.to_owned())).await?;
    let wait = async {
        loop {
            let reply = replies.recv().await.ok_or(HardwareError::Disconnected)?;
            if let Some(value) = std::str::from_utf8(&reply).ok().and_then(&answer) {
                return Ok(value);
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, wait)
        .await
        .map_err(|_| HardwareError::Timeout)?
}

/// The model code from a `DeviceType;` reply such as `Z:11:0082059AD3BD;` (`EI` from firmware
/// 3 on is `EI-FW3`).
pub fn model_code(reply: &str) -> Option<String> {
    let mut fields = reply.trim().trim_end_matches(';').split(':');
    let model = fields.next().filter(|m| !m.is_empty())?;
    let firmware: u32 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
    Some(if model == "EI" && firmware >= 3 {
        "EI-FW3".to_owned()
    } else {
        model.to_owned()
    })
}

/// The level from a `Battery;` reply such as `85;` (some models prefix an `s`).
pub fn battery_level(reply: &str) -> Option<i32> {
    let reply = reply.trim().trim_end_matches(';');
    let reply = if reply.contains('s') {
        reply.get(1..)?
    } else {
        reply
    };
    reply.parse::<u8>().ok().map(i32::from)
}

impl Protocol for Lovense {
    fn identify<'a>(
        &'a mut self,
        hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        Box::pin(async move {
            let mut last_error = HardwareError::Timeout;
            for _ in 0..3 {
                // A model reply has fields separated by ':'; `OK;` does not.
                let model = |reply: &str| reply.contains(':').then(|| model_code(reply)).flatten();
                match ask(hardware, "DeviceType;", model).await {
                    Ok(model) => return Ok(Some(model)),
                    Err(error) => last_error = error,
                }
            }
            Err(last_error)
        })
    }

    fn configure(&mut self, features: &[DeviceFeature]) {
        self.layout = output_layout(features);
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let vibrators = self
            .layout
            .iter()
            .filter(|(_, t)| *t == OutputType::Vibrate)
            .count();
        if self.layout.len() > 2 {
            let values: Vec<String> = self
                .layout
                .iter()
                .map(|&(feature, output_type)| {
                    value_of(state, feature, output_type)
                        .unsigned_abs()
                        .to_string()
                })
                .collect();
            return vec![text(format!("Mply:{};", values.join(":")))];
        }
        let mut writes = Vec::new();
        for (feature, command) in changed {
            match command {
                OutputCommand::Vibrate(v) if vibrators > 1 => {
                    writes.push(text(format!("Vibrate{}:{};", feature + 1, v.value)))
                }
                OutputCommand::Vibrate(v) => writes.push(text(format!("Vibrate:{};", v.value))),
                OutputCommand::Constrict(v) => writes.push(text(format!("Air:Level:{};", v.value))),
                OutputCommand::Rotate(v) => {
                    // 0 keeps whatever direction the device has.
                    let current = self.pending_reversed.unwrap_or(self.reversed);
                    let reverse = v.value != 0 && (v.value < 0) != current;
                    if reverse {
                        self.pending_reversed = Some(!current);
                        writes.push(text("RotateChange;".to_owned()));
                    }
                    writes.push(text(format!("Rotate:{};", v.value.unsigned_abs())));
                }
                _ => {}
            }
        }
        writes
    }

    fn written(&mut self, success: bool) {
        if let Some(reversed) = self.pending_reversed.take()
            && success
        {
            self.reversed = reversed;
        }
    }

    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        Box::pin(async move {
            battery_only(input_type)?;
            ask(&*hardware, "Battery;", battery_level).await
        })
    }
}

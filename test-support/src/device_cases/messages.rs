//! A case's client commands, built as a client of the played spec version builds them (a v4
//! client sends one `OutputCmd` per output, with the fraction turned into steps; a v3 client
//! sends `ScalarCmd`, `RotateCmd`, `LinearCmd`, `SensorReadCmd`, `StopDeviceCmd`), then
//! converted to v4 and carried out as a session carries them out.

use std::sync::Arc;

use plugwire_core::ErrorReply;
use plugwire_core::message::{
    AnyClientMessage, ClientMessage, DeviceFeature, DeviceInfo, InputCommand, InputType,
    LegacyLayout, OutputCommand, OutputType, PositionWithDuration, SpecVersion, Upgraded, upgrade,
};
use plugwire_devices::{DeviceError, DeviceManager, SessionId, StopScope};
use serde_json::json;
use tokio::task::JoinHandle;

use super::failure::CaseFailure;
use super::format::ClientCommand;

/// The session the case's client has.
const SESSION: SessionId = 1;

/// The case's client: the spec version it speaks and the device manager its messages reach.
pub(super) struct Client {
    pub(super) manager: Arc<DeviceManager>,
    pub(super) version: SpecVersion,
    /// Battery reads left running (`run_async`), checked at the end.
    pub(super) battery_reads: Vec<JoinHandle<Result<(), CaseFailure>>>,
}

/// Steps for a 0.0–1.0 fraction of an output whose range tops out at `max`, as the v4 client
/// rounds: up, unless it is (within float error) nothing.
fn steps(fraction: f64, max: i32) -> i32 {
    let scaled = fraction * f64::from(max);
    // The float-to-int conversion saturates; fractions are 0.0–1.0 of an i32 range.
    if scaled > 0.000_001 {
        scaled.ceil() as i32
    } else {
        scaled.floor() as i32
    }
}

/// The `n`-th feature (in index order) that `fits`.
fn nth(info: &DeviceInfo, n: u32, fits: impl Fn(&DeviceFeature) -> bool) -> Option<&DeviceFeature> {
    let n = usize::try_from(n).ok()?;
    info.device_features.values().filter(|f| fits(f)).nth(n)
}

/// The top of a feature's range for `output_type`.
fn top(feature: &DeviceFeature, output_type: OutputType) -> i32 {
    feature.output.get(&output_type).map_or(0, |l| l.value.max)
}

/// Sends one client command for device `device_index`.
pub(super) async fn send(
    client: &mut Client,
    device_index: u32,
    command: &ClientCommand,
    place: &str,
) -> Result<(), CaseFailure> {
    let version = client.version;
    let unsupported = |what: &str| CaseFailure::Unsupported {
        version,
        step: place.to_owned(),
        what: what.to_owned(),
    };
    let devices = client.manager.devices();
    let info = usize::try_from(device_index)
        .ok()
        .and_then(|i| devices.get(i))
        .cloned()
        .ok_or_else(|| unsupported("no such device"))?;
    let messages = if version == SpecVersion::V4 {
        v4(&info, command).ok_or_else(|| unsupported("the device has no such output"))?
    } else {
        v3(&info, command).ok_or_else(|| unsupported("the device has no such actuator"))?
    };
    for message in messages {
        let upgraded = upgrade(message, |i| client.manager.device(i)).map_err(|error| {
            CaseFailure::Refused {
                version,
                step: place.to_owned(),
                error,
            }
        })?;
        carry_out(client, upgraded, command, place).await?;
    }
    Ok(())
}

/// The v4 messages for a command.
fn v4(info: &DeviceInfo, command: &ClientCommand) -> Option<Vec<AnyClientMessage>> {
    let device = info.device_index;
    let output = |feature: &DeviceFeature, command: OutputCommand| {
        AnyClientMessage::OutputCmd(plugwire_core::message::OutputCmd {
            id: 1,
            device_index: device,
            feature_index: feature.feature_index,
            command,
        })
    };
    let has = |t: OutputType| move |f: &DeviceFeature| f.output.contains_key(&t);
    Some(match command {
        ClientCommand::Vibrate(entries) => entries
            .iter()
            .map(|e| {
                let feature = nth(info, e.index, has(OutputType::Vibrate))?;
                let value = steps(e.speed, top(feature, OutputType::Vibrate));
                Some(output(
                    feature,
                    OutputCommand::new(OutputType::Vibrate, value),
                ))
            })
            .collect::<Option<_>>()?,
        ClientCommand::Scalar(entries) => entries
            .iter()
            .map(|e| {
                // The v3 scalar numbering: every feature with a vibrate, oscillate or constrict
                // output, or a rotation that cannot reverse.
                let scalar = |f: &DeviceFeature| {
                    [
                        OutputType::Vibrate,
                        OutputType::Oscillate,
                        OutputType::Constrict,
                    ]
                    .iter()
                    .any(|t| f.output.contains_key(t))
                        || f.output
                            .get(&OutputType::Rotate)
                            .is_some_and(|l| l.value.min >= 0)
                };
                let feature = nth(info, e.index, scalar)?;
                let output_type = output_type(&e.actuator_type)?;
                let value = steps(e.scalar, top(feature, output_type));
                Some(output(feature, OutputCommand::new(output_type, value)))
            })
            .collect::<Option<_>>()?,
        ClientCommand::Rotate(entries) => entries
            .iter()
            .map(|e| {
                let feature = nth(info, e.index, has(OutputType::Rotate))?;
                let value = steps(e.speed, top(feature, OutputType::Rotate));
                let value = if e.clockwise { value } else { -value };
                Some(output(
                    feature,
                    OutputCommand::new(OutputType::Rotate, value),
                ))
            })
            .collect::<Option<_>>()?,
        ClientCommand::Linear(entries) => entries
            .iter()
            .map(|e| {
                let feature = info.feature(e.index)?;
                let value = steps(e.position, top(feature, OutputType::HwPositionWithDuration));
                Some(output(
                    feature,
                    OutputCommand::HwPositionWithDuration(PositionWithDuration {
                        value,
                        duration: e.duration,
                    }),
                ))
            })
            .collect::<Option<_>>()?,
        ClientCommand::Battery { .. } => {
            let feature = info
                .device_features
                .values()
                .find(|f| f.input.contains_key(&InputType::Battery))?;
            vec![AnyClientMessage::InputCmd(
                plugwire_core::message::InputCmd {
                    id: 1,
                    device_index: device,
                    feature_index: feature.feature_index,
                    input_type: InputType::Battery,
                    command: InputCommand::Read,
                },
            )]
        }
        ClientCommand::Stop => vec![AnyClientMessage::StopCmd(plugwire_core::message::StopCmd {
            id: 1,
            device_index: Some(device),
            feature_index: None,
            inputs: true,
            outputs: true,
        })],
        ClientCommand::Rssi => return None,
    })
}

/// The v3 message for a command, in its wire form.
fn v3(info: &DeviceInfo, command: &ClientCommand) -> Option<Vec<AnyClientMessage>> {
    let device = info.device_index;
    let layout = LegacyLayout::of(info);
    let wire = match command {
        ClientCommand::Vibrate(entries) => {
            // A v3 client vibrates through ScalarCmd: the n-th vibrator is the n-th scalar
            // actuator of type Vibrate.
            let vibrators: Vec<usize> = layout
                .scalars
                .iter()
                .enumerate()
                .filter(|(_, a)| a.output_type == OutputType::Vibrate)
                .map(|(i, _)| i)
                .collect();
            let scalars = entries
                .iter()
                .map(|e| {
                    let index = *vibrators.get(usize::try_from(e.index).ok()?)?;
                    Some(json!({"Index": index, "Scalar": e.speed, "ActuatorType": "Vibrate"}))
                })
                .collect::<Option<Vec<_>>>()?;
            json!({"ScalarCmd": {"Id": 1, "DeviceIndex": device, "Scalars": scalars}})
        }
        ClientCommand::Scalar(entries) => {
            let scalars: Vec<_> = entries
                .iter()
                .map(|e| json!({"Index": e.index, "Scalar": e.scalar, "ActuatorType": e.actuator_type}))
                .collect();
            json!({"ScalarCmd": {"Id": 1, "DeviceIndex": device, "Scalars": scalars}})
        }
        ClientCommand::Rotate(entries) => {
            let rotations: Vec<_> = entries
                .iter()
                .map(|e| json!({"Index": e.index, "Speed": e.speed, "Clockwise": e.clockwise}))
                .collect();
            json!({"RotateCmd": {"Id": 1, "DeviceIndex": device, "Rotations": rotations}})
        }
        ClientCommand::Linear(entries) => {
            // A v3 client numbers the vectors by their place in the list.
            let vectors: Vec<_> = entries
                .iter()
                .enumerate()
                .map(|(i, e)| json!({"Index": i, "Duration": e.duration, "Position": e.position}))
                .collect();
            json!({"LinearCmd": {"Id": 1, "DeviceIndex": device, "Vectors": vectors}})
        }
        ClientCommand::Battery { .. } => {
            let sensor = layout
                .sensors
                .iter()
                .position(|s| s.input_type == InputType::Battery)?;
            json!({"SensorReadCmd": {"Id": 1, "DeviceIndex": device, "SensorIndex": sensor, "SensorType": "Battery"}})
        }
        ClientCommand::Stop => json!({"StopDeviceCmd": {"Id": 1, "DeviceIndex": device}}),
        ClientCommand::Rssi => return None,
    };
    serde_json::from_value(wire).ok().map(|m| vec![m])
}

fn output_type(name: &str) -> Option<OutputType> {
    serde_json::from_value(json!(name)).ok()
}

/// Does what a session does with a converted message.
async fn carry_out(
    client: &mut Client,
    upgraded: Upgraded,
    command: &ClientCommand,
    place: &str,
) -> Result<(), CaseFailure> {
    let version = client.version;
    let manager = client.manager.clone();
    let refusal = |error: ErrorReply| CaseFailure::Refused {
        version,
        step: place.to_owned(),
        error,
    };
    match upgraded {
        Upgraded::Message(ClientMessage::OutputCmd(cmd)) => manager
            .set_output(SESSION, cmd.device_index, cmd.feature_index, cmd.command)
            // The case checks the bytes written, as they come: not each command's delivery.
            .map(drop)
            .map_err(|e| refusal(refused(e))),
        Upgraded::Outputs {
            device_index,
            commands,
            ..
        } => manager
            .set_outputs(SESSION, device_index, &commands)
            .map(drop)
            .map_err(|e| refusal(refused(e))),
        Upgraded::Message(ClientMessage::StopCmd(stop)) => manager
            .stop(StopScope {
                device_index: stop.device_index,
                feature_index: stop.feature_index,
            })
            .map_err(|e| refusal(refused(e))),
        Upgraded::Message(ClientMessage::InputCmd(plugwire_core::message::InputCmd {
            device_index,
            feature_index,
            input_type,
            ..
        }))
        | Upgraded::Read {
            device_index,
            feature_index,
            input_type,
            ..
        } => {
            let ClientCommand::Battery {
                expected_power,
                run_async,
            } = *command
            else {
                return Ok(());
            };
            let read = async move {
                let got = manager
                    .read_input(device_index, feature_index, input_type)
                    .await
                    .map(|level| f64::from(level) / 100.0)
                    .map_err(|e| e.to_string());
                match got {
                    Ok(level) if (level - expected_power).abs() < 1e-9 => Ok(()),
                    got => Err(CaseFailure::Battery {
                        version,
                        expected: expected_power,
                        got,
                    }),
                }
            };
            if run_async {
                client.battery_reads.push(tokio::spawn(read));
                Ok(())
            } else {
                read.await
            }
        }
        _ => Ok(()),
    }
}

/// A device error as the protocol answers it.
fn refused(error: DeviceError) -> ErrorReply {
    error.into()
}

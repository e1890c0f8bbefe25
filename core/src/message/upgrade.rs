//! Client messages of every spec version up to the canonical v4 form.

use super::any_client::AnyClientMessage;
use super::id::MessageId;
use super::layout::{Actuator, LegacyLayout, nth};
use super::legacy::*;
use super::v4::*;
use crate::ErrorReply;

/// Milliseconds a position move takes when an old command gives no duration.
const DEFAULT_MOVE_MS: u32 = 500;

/// How a reading must be answered to the client that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadingReply {
    /// v4 `InputReading`.
    Input,
    /// v2 `BatteryLevelReading` (0.0–1.0 of the range's top).
    BatteryLevel,
    /// v2 `RSSILevelReading`.
    RssiLevel,
    /// v3 `SensorReading`.
    Sensor {
        /// Legacy sensor index the client used.
        sensor_index: u32,
        /// v3 sensor type name.
        sensor_type: String,
    },
}

/// A client message of any version, in canonical terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Upgraded {
    /// Equivalent to one v4 message with the same Id.
    Message(ClientMessage),
    /// Several outputs of one device set at once; one `Ok` answers them all.
    Outputs {
        /// Request Id.
        id: MessageId,
        /// Device driven.
        device_index: u32,
        /// Feature index and command for each output.
        commands: Vec<(u32, OutputCommand)>,
    },
    /// Read an input; the reading is answered in the shape `reply` says.
    Read {
        /// Request Id.
        id: MessageId,
        /// Device read.
        device_index: u32,
        /// Feature read.
        feature_index: u32,
        /// Input read.
        input_type: InputType,
        /// Shape of the answer.
        reply: ReadingReply,
    },
    /// Nothing to do but answer `Ok` (`RequestLog` with level `Off`).
    Ack(MessageId),
    /// v0–v1 `Test`: echo it.
    Echo(Test),
}

/// Converts a client message to canonical form.
///
/// `device` looks a device up by index; legacy commands number actuators per device, so they
/// need its layout. Errors carry the protocol error to send back.
pub fn upgrade(
    message: AnyClientMessage,
    device: impl Fn(u32) -> Option<DeviceInfo>,
) -> Result<Upgraded, ErrorReply> {
    let layout_of = |index: u32| {
        device(index)
            .map(|info| LegacyLayout::of(&info))
            .ok_or_else(|| ErrorReply::device(format!("no device with index {index}")))
    };
    let outputs = |id, device_index, commands| Upgraded::Outputs {
        id,
        device_index,
        commands,
    };
    let as_is = |message| Upgraded::Message(message);
    Ok(match message {
        AnyClientMessage::RequestServerInfo(m) => {
            as_is(ClientMessage::RequestServerInfo(RequestServerInfo {
                id: m.id,
                client_name: m.client_name,
                protocol_version_major: m.protocol_version_major.or(m.message_version).unwrap_or(0),
                protocol_version_minor: m.protocol_version_minor.unwrap_or(0),
            }))
        }
        AnyClientMessage::Ping(m) => as_is(ClientMessage::Ping(m)),
        AnyClientMessage::StartScanning(m) => as_is(ClientMessage::StartScanning(m)),
        AnyClientMessage::StopScanning(m) => as_is(ClientMessage::StopScanning(m)),
        AnyClientMessage::RequestDeviceList(m) => as_is(ClientMessage::RequestDeviceList(m)),
        AnyClientMessage::StopCmd(m) => as_is(ClientMessage::StopCmd(m)),
        AnyClientMessage::OutputCmd(m) => as_is(ClientMessage::OutputCmd(m)),
        AnyClientMessage::InputCmd(m) => as_is(ClientMessage::InputCmd(m)),
        AnyClientMessage::Disconnect(m) => as_is(ClientMessage::Disconnect(m)),
        AnyClientMessage::StopAllDevices(m) => stop(m.id, None),
        AnyClientMessage::StopDeviceCmd(m) => {
            layout_of(m.device_index)?;
            stop(m.id, Some(m.device_index))
        }
        AnyClientMessage::RequestLog(m) => {
            if m.log_level != "Off" {
                return Err(ErrorReply::message(
                    "this server does not forward its log to clients",
                ));
            }
            Upgraded::Ack(m.id)
        }
        AnyClientMessage::Test(m) => Upgraded::Echo(m),
        AnyClientMessage::SingleMotorVibrateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            outputs(m.id, m.device_index, every_vibrator(&layout, m.speed)?)
        }
        AnyClientMessage::VibrateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = per_actuator(
                &layout.vibrators,
                "vibrator",
                &m.speeds,
                |s| s.index,
                |a, s| level(a, s.speed),
            )?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::ScalarCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = per_actuator(
                &layout.scalars,
                "scalar actuator",
                &m.scalars,
                |s| s.index,
                |a, s| {
                    let expected = super::layout::v3_actuator_type_name(a.output_type);
                    if expected != Some(s.actuator_type.as_str()) {
                        return Err(ErrorReply::device(format!(
                            "actuator {} is {}, not {}",
                            s.index,
                            expected.unwrap_or("unknown"),
                            s.actuator_type
                        )));
                    }
                    level(a, s.scalar)
                },
            )?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::RotateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = per_actuator(
                &layout.rotators,
                "rotator",
                &m.rotations,
                |r| r.index,
                |a, r| Ok(rotate(a, a.step_for(r.speed)?, r.clockwise)),
            )?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::LinearCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = per_actuator(
                &layout.linears,
                "linear actuator",
                &m.vectors,
                |v| v.index,
                |a, v| Ok(move_to(a.position_for(v.position)?, v.duration)),
            )?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::FleshlightLaunchFw12Cmd(m) => {
            let layout = layout_of(m.device_index)?;
            let a = nth(&layout.linears, 0, "linear actuator")?;
            let position = a.step_for_hundredths(m.position)?;
            let commands = vec![(
                a.feature_index,
                move_to(position, launch_duration(m.speed)?),
            )];
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::VorzeA10CycloneCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let a = nth(&layout.rotators, 0, "rotator")?;
            let commands = vec![(
                a.feature_index,
                rotate(a, a.step_for_hundredths(m.speed)?, m.clockwise),
            )];
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::KiirooCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let level = kiiroo_level(&m.command)?;
            let commands = if let Some(a) = layout.linears.first() {
                vec![(
                    a.feature_index,
                    move_to(a.position_for(level)?, DEFAULT_MOVE_MS),
                )]
            } else if !layout.vibrators.is_empty() {
                every_vibrator(&layout, level)?
            } else {
                return Err(ErrorReply::device(
                    "the device has no position or vibrate output",
                ));
            };
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::LovenseCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = lovense_command(&layout, &m.command)?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::RawWriteCmd(_)
        | AnyClientMessage::RawReadCmd(_)
        | AnyClientMessage::RawSubscribeCmd(_)
        | AnyClientMessage::RawUnsubscribeCmd(_) => {
            return Err(ErrorReply::device(
                "raw device access is disabled on this server",
            ));
        }
        AnyClientMessage::BatteryLevelCmd(m) => read_first(
            &layout_of(m.device_index)?,
            m,
            InputType::Battery,
            ReadingReply::BatteryLevel,
        )?,
        AnyClientMessage::RssiLevelCmd(m) => read_first(
            &layout_of(m.device_index)?,
            m,
            InputType::Rssi,
            ReadingReply::RssiLevel,
        )?,
        AnyClientMessage::SensorReadCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let sensor = nth(&layout.sensors, m.sensor_index, "sensor")?;
            check_sensor_type(sensor, &m.sensor_type)?;
            Upgraded::Read {
                id: m.id,
                device_index: m.device_index,
                feature_index: sensor.feature_index,
                input_type: sensor.input_type,
                reply: ReadingReply::Sensor {
                    sensor_index: m.sensor_index,
                    sensor_type: m.sensor_type,
                },
            }
        }
        AnyClientMessage::SensorSubscribeCmd(m) => {
            sensor_subscription(&layout_of(m.device_index)?, m, InputCommand::Subscribe)?
        }
        AnyClientMessage::SensorUnsubscribeCmd(m) => {
            sensor_subscription(&layout_of(m.device_index)?, m, InputCommand::Unsubscribe)?
        }
    })
}

/// A stop of every output of one device, or of all devices.
fn stop(id: MessageId, device_index: Option<u32>) -> Upgraded {
    Upgraded::Message(ClientMessage::StopCmd(StopCmd {
        id,
        device_index,
        feature_index: None,
        inputs: false,
        outputs: true,
    }))
}

/// The command setting actuator `a` to a 0.0–1.0 `level` of its range.
fn level(a: &Actuator, level: f64) -> Result<OutputCommand, ErrorReply> {
    Ok(OutputCommand::new(a.output_type, a.step_for(level)?))
}

/// Every vibrator of a device at one level (the legacy "all motors" commands).
fn every_vibrator(
    layout: &LegacyLayout,
    speed: f64,
) -> Result<Vec<(u32, OutputCommand)>, ErrorReply> {
    if layout.vibrators.is_empty() {
        return Err(ErrorReply::device("the device has no vibrators"));
    }
    layout
        .vibrators
        .iter()
        .map(|a| Ok((a.feature_index, level(a, speed)?)))
        .collect()
}

/// One command per item of a legacy command that numbers its actuators (`Index`): the item's
/// actuator is looked up among `actuators` and `command` says what it is told.
fn per_actuator<T>(
    actuators: &[Actuator],
    kind: &str,
    items: &[T],
    index: impl Fn(&T) -> u32,
    command: impl Fn(&Actuator, &T) -> Result<OutputCommand, ErrorReply>,
) -> Result<Vec<(u32, OutputCommand)>, ErrorReply> {
    items
        .iter()
        .map(|item| {
            let a = nth(actuators, index(item), kind)?;
            Ok((a.feature_index, command(a, item)?))
        })
        .collect()
}

/// A rotation: counter-clockwise is a negative value on rotators that can reverse; others
/// ignore the direction, as the reference server does.
fn rotate(actuator: &Actuator, step: i32, clockwise: bool) -> OutputCommand {
    OutputCommand::Rotate(OutputValue {
        value: if clockwise || !actuator.reversible() {
            step
        } else {
            -step
        },
    })
}

fn move_to(value: i32, duration: u32) -> OutputCommand {
    OutputCommand::HwPositionWithDuration(PositionWithDuration { value, duration })
}

/// Duration of a full stroke for a Launch speed of 0–99: 2 s at the slowest, 200 ms at the
/// fastest, spaced evenly in between (in integers, rounded to the nearest millisecond).
fn launch_duration(speed: u32) -> Result<u32, ErrorReply> {
    if speed > 99 {
        return Err(ErrorReply::device(format!("{speed} is outside 0 to 99")));
    }
    Ok(2000 - (1800 * speed + 49) / 99)
}

/// The Kiiroo command is a digit 0–4.
fn kiiroo_level(command: &str) -> Result<f64, ErrorReply> {
    match command.trim().parse::<u8>() {
        Ok(n) if n <= 4 => Ok(f64::from(n) / 4.0),
        _ => Err(ErrorReply::device(format!(
            "Kiiroo command {command:?} is not a level from 0 to 4"
        ))),
    }
}

/// Understands the Lovense `Vibrate:N;` (0–20) and `Rotate:N;` text commands.
fn lovense_command(
    layout: &LegacyLayout,
    command: &str,
) -> Result<Vec<(u32, OutputCommand)>, ErrorReply> {
    let unsupported = || ErrorReply::device(format!("unsupported Lovense command {command:?}"));
    let body = command.trim().trim_end_matches(';');
    let (verb, level) = body.split_once(':').ok_or_else(unsupported)?;
    let level = match level.parse::<u8>() {
        Ok(n) if n <= 20 => f64::from(n) / 20.0,
        _ => return Err(unsupported()),
    };
    let targets = match verb {
        "Vibrate" => &layout.vibrators,
        "Rotate" => &layout.rotators,
        _ => return Err(unsupported()),
    };
    if targets.is_empty() {
        return Err(unsupported());
    }
    targets
        .iter()
        .map(|a| Ok((a.feature_index, self::level(a, level)?)))
        .collect()
}

fn read_first(
    layout: &LegacyLayout,
    m: DeviceOnly,
    input_type: InputType,
    reply: ReadingReply,
) -> Result<Upgraded, ErrorReply> {
    let sensor = layout
        .first_sensor(input_type, InputCommand::Read)
        .ok_or_else(|| {
            ErrorReply::device(format!("the device has no readable {input_type:?} input"))
        })?;
    Ok(Upgraded::Read {
        id: m.id,
        device_index: m.device_index,
        feature_index: sensor.feature_index,
        input_type,
        reply,
    })
}

fn check_sensor_type(sensor: &super::layout::Sensor, asked: &str) -> Result<(), ErrorReply> {
    if sensor.v3_type_name() == Some(asked) {
        Ok(())
    } else {
        Err(ErrorReply::device(format!(
            "sensor is {}, not {asked}",
            sensor.v3_type_name().unwrap_or("unknown")
        )))
    }
}

fn sensor_subscription(
    layout: &LegacyLayout,
    m: SensorCmd,
    command: InputCommand,
) -> Result<Upgraded, ErrorReply> {
    let sensor = nth(&layout.sensors, m.sensor_index, "sensor")?;
    check_sensor_type(sensor, &m.sensor_type)?;
    Ok(Upgraded::Message(ClientMessage::InputCmd(InputCmd {
        id: m.id,
        device_index: m.device_index,
        feature_index: sensor.feature_index,
        input_type: sensor.input_type,
        command,
    })))
}

//! Conversions between spec versions: client messages up to the canonical v4 form, server
//! messages and device descriptions down to the client's version.

use std::collections::{BTreeMap, BTreeSet};

use super::layout::{LegacyLayout, nth};
use super::legacy::*;
use super::v4::*;
use super::{AnyClientMessage, MessageId, SpecVersion, VersionedServerMessage};
use crate::ProtocolError;

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
) -> Result<Upgraded, ProtocolError> {
    let layout_of = |index: u32| {
        device(index)
            .map(|info| LegacyLayout::of(&info))
            .ok_or_else(|| ProtocolError::device(format!("no device with index {index}")))
    };
    let outputs = |id, device_index, commands| Upgraded::Outputs {
        id,
        device_index,
        commands,
    };
    Ok(match message {
        AnyClientMessage::RequestServerInfo(m) => {
            Upgraded::Message(ClientMessage::RequestServerInfo(RequestServerInfo {
                id: m.id,
                client_name: m.client_name,
                protocol_version_major: m.protocol_version_major.or(m.message_version).unwrap_or(0),
                protocol_version_minor: m.protocol_version_minor.unwrap_or(0),
            }))
        }
        AnyClientMessage::Ping(m) => Upgraded::Message(ClientMessage::Ping(m)),
        AnyClientMessage::StartScanning(m) => Upgraded::Message(ClientMessage::StartScanning(m)),
        AnyClientMessage::StopScanning(m) => Upgraded::Message(ClientMessage::StopScanning(m)),
        AnyClientMessage::RequestDeviceList(m) => {
            Upgraded::Message(ClientMessage::RequestDeviceList(m))
        }
        AnyClientMessage::StopCmd(m) => Upgraded::Message(ClientMessage::StopCmd(m)),
        AnyClientMessage::OutputCmd(m) => Upgraded::Message(ClientMessage::OutputCmd(m)),
        AnyClientMessage::InputCmd(m) => Upgraded::Message(ClientMessage::InputCmd(m)),
        AnyClientMessage::Disconnect(m) => Upgraded::Message(ClientMessage::Disconnect(m)),
        AnyClientMessage::StopAllDevices(m) => Upgraded::Message(ClientMessage::StopCmd(StopCmd {
            id: m.id,
            device_index: None,
            feature_index: None,
            inputs: false,
            outputs: true,
        })),
        AnyClientMessage::StopDeviceCmd(m) => {
            layout_of(m.device_index)?;
            Upgraded::Message(ClientMessage::StopCmd(StopCmd {
                id: m.id,
                device_index: Some(m.device_index),
                feature_index: None,
                inputs: false,
                outputs: true,
            }))
        }
        AnyClientMessage::RequestLog(m) => {
            if m.log_level != "Off" {
                return Err(ProtocolError::message(
                    "this server does not forward its log to clients",
                ));
            }
            Upgraded::Ack(m.id)
        }
        AnyClientMessage::Test(m) => Upgraded::Echo(m),
        AnyClientMessage::SingleMotorVibrateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            if layout.vibrators.is_empty() {
                return Err(ProtocolError::device("the device has no vibrators"));
            }
            let commands = layout
                .vibrators
                .iter()
                .map(|a| {
                    Ok((
                        a.feature_index,
                        OutputCommand::new(a.output_type, a.step_for(m.speed)?),
                    ))
                })
                .collect::<Result<_, ProtocolError>>()?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::VibrateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = m
                .speeds
                .iter()
                .map(|s| {
                    let a = nth(&layout.vibrators, s.index, "vibrator")?;
                    Ok((
                        a.feature_index,
                        OutputCommand::new(a.output_type, a.step_for(s.speed)?),
                    ))
                })
                .collect::<Result<_, ProtocolError>>()?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::ScalarCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = m
                .scalars
                .iter()
                .map(|s| {
                    let a = nth(&layout.scalars, s.index, "scalar actuator")?;
                    let expected = super::layout::v3_actuator_type_name(a.output_type);
                    if expected != Some(s.actuator_type.as_str()) {
                        return Err(ProtocolError::device(format!(
                            "actuator {} is {}, not {}",
                            s.index,
                            expected.unwrap_or("unknown"),
                            s.actuator_type
                        )));
                    }
                    Ok((
                        a.feature_index,
                        OutputCommand::new(a.output_type, a.step_for(s.scalar)?),
                    ))
                })
                .collect::<Result<_, ProtocolError>>()?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::RotateCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = m
                .rotations
                .iter()
                .map(|r| {
                    let a = nth(&layout.rotators, r.index, "rotator")?;
                    Ok((
                        a.feature_index,
                        rotate(a, a.step_for(r.speed)?, r.clockwise),
                    ))
                })
                .collect::<Result<_, ProtocolError>>()?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::LinearCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let commands = m
                .vectors
                .iter()
                .map(|v| {
                    let a = nth(&layout.linears, v.index, "linear actuator")?;
                    Ok((
                        a.feature_index,
                        move_to(a.step_for(v.position)?, v.duration),
                    ))
                })
                .collect::<Result<_, ProtocolError>>()?;
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::FleshlightLaunchFw12Cmd(m) => {
            let layout = layout_of(m.device_index)?;
            let a = nth(&layout.linears, 0, "linear actuator")?;
            let position = a.step_for(hundredths(m.position)?)?;
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
                rotate(a, a.step_for(hundredths(m.speed)?)?, m.clockwise),
            )];
            outputs(m.id, m.device_index, commands)
        }
        AnyClientMessage::KiirooCmd(m) => {
            let layout = layout_of(m.device_index)?;
            let level = kiiroo_level(&m.command)?;
            let commands = if let Some(a) = layout.linears.first() {
                vec![(
                    a.feature_index,
                    move_to(a.step_for(level)?, DEFAULT_MOVE_MS),
                )]
            } else if !layout.vibrators.is_empty() {
                layout
                    .vibrators
                    .iter()
                    .map(|a| {
                        Ok((
                            a.feature_index,
                            OutputCommand::new(a.output_type, a.step_for(level)?),
                        ))
                    })
                    .collect::<Result<_, ProtocolError>>()?
            } else {
                return Err(ProtocolError::device(
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
            return Err(ProtocolError::device(
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

/// A rotation: counter-clockwise is a negative value on rotators that can reverse; others
/// ignore the direction, as the reference server does.
fn rotate(actuator: &super::layout::Actuator, step: i32, clockwise: bool) -> OutputCommand {
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

/// A 0–99 value as a 0.0–1.0 level.
fn hundredths(value: u32) -> Result<f64, ProtocolError> {
    if value > 99 {
        return Err(ProtocolError::device(format!("{value} is outside 0 to 99")));
    }
    Ok(f64::from(value) / 99.0)
}

/// Duration of a full stroke for a Launch speed of 0–99: 2 s at the slowest, 200 ms at the
/// fastest, spaced evenly in between.
fn launch_duration(speed: u32) -> Result<u32, ProtocolError> {
    let level = hundredths(speed)?;
    Ok((2000.0 - 1800.0 * level).round() as u32)
}

/// The Kiiroo command is a digit 0–4.
fn kiiroo_level(command: &str) -> Result<f64, ProtocolError> {
    match command.trim().parse::<u8>() {
        Ok(n) if n <= 4 => Ok(f64::from(n) / 4.0),
        _ => Err(ProtocolError::device(format!(
            "Kiiroo command {command:?} is not a level from 0 to 4"
        ))),
    }
}

/// Understands the Lovense `Vibrate:N;` (0–20) and `Rotate:N;` text commands.
fn lovense_command(
    layout: &LegacyLayout,
    command: &str,
) -> Result<Vec<(u32, OutputCommand)>, ProtocolError> {
    let unsupported = || ProtocolError::device(format!("unsupported Lovense command {command:?}"));
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
        .map(|a| {
            Ok((
                a.feature_index,
                OutputCommand::new(a.output_type, a.step_for(level)?),
            ))
        })
        .collect()
}

fn read_first(
    layout: &LegacyLayout,
    m: DeviceOnly,
    input_type: InputType,
    reply: ReadingReply,
) -> Result<Upgraded, ProtocolError> {
    let sensor = layout
        .first_sensor(input_type, InputCommand::Read)
        .ok_or_else(|| {
            ProtocolError::device(format!("the device has no readable {input_type:?} input"))
        })?;
    Ok(Upgraded::Read {
        id: m.id,
        device_index: m.device_index,
        feature_index: sensor.feature_index,
        input_type,
        reply,
    })
}

fn check_sensor_type(sensor: &super::layout::Sensor, asked: &str) -> Result<(), ProtocolError> {
    if sensor.v3_type_name() == Some(asked) {
        Ok(())
    } else {
        Err(ProtocolError::device(format!(
            "sensor is {}, not {asked}",
            sensor.v3_type_name().unwrap_or("unknown")
        )))
    }
}

fn sensor_subscription(
    layout: &LegacyLayout,
    m: SensorCmd,
    command: InputCommand,
) -> Result<Upgraded, ProtocolError> {
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

/// `ServerInfo` in the shape `version` expects.
pub fn server_info(
    version: SpecVersion,
    id: MessageId,
    server_name: &str,
    max_ping_time: u32,
) -> VersionedServerMessage {
    let legacy = |with_server_version: bool| ServerInfoLegacy {
        id,
        max_ping_time,
        message_version: version.number(),
        server_name: server_name.to_owned(),
        major_version: with_server_version.then_some(0),
        minor_version: with_server_version.then_some(0),
        build_version: with_server_version.then_some(0),
    };
    match version {
        SpecVersion::V0 => {
            VersionedServerMessage::V0(LegacyServerMessage::ServerInfo(legacy(true)))
        }
        SpecVersion::V1 => {
            VersionedServerMessage::V2(LegacyServerMessage::ServerInfo(legacy(true)))
        }
        SpecVersion::V2 => {
            VersionedServerMessage::V2(LegacyServerMessage::ServerInfo(legacy(false)))
        }
        SpecVersion::V3 => {
            VersionedServerMessage::V3(LegacyServerMessage::ServerInfo(legacy(false)))
        }
        SpecVersion::V4 => VersionedServerMessage::V4(ServerMessage::ServerInfo(ServerInfo {
            id,
            max_ping_time,
            protocol_version_major: 4,
            protocol_version_minor: 0,
            server_name: server_name.to_owned(),
        })),
    }
}

/// A device as a v0–v3 client sees it.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum LegacyDeviceAny {
    V0(LegacyDevice<DeviceMessagesV0>),
    V2(LegacyDevice<DeviceMessagesV2>),
    V3(LegacyDevice<DeviceMessagesV3>),
}

/// Describes `device` for a client of `version` (`None` for v4, which uses `DeviceInfo`).
pub fn downgrade_device(device: &DeviceInfo, version: SpecVersion) -> Option<LegacyDeviceAny> {
    let layout = LegacyLayout::of(device);
    fn base<A>(device: &DeviceInfo, messages: A) -> LegacyDevice<A> {
        LegacyDevice {
            device_index: device.device_index,
            device_name: device.device_name.clone(),
            device_messages: messages,
            device_display_name: None,
            device_message_timing_gap: None,
        }
    }
    Some(match version {
        SpecVersion::V0 => LegacyDeviceAny::V0(base(device, messages_v0(&layout))),
        SpecVersion::V1 => LegacyDeviceAny::V2(base(device, messages_v1_v2(&layout, false))),
        SpecVersion::V2 => LegacyDeviceAny::V2(base(device, messages_v1_v2(&layout, true))),
        SpecVersion::V3 => LegacyDeviceAny::V3(LegacyDevice {
            device_display_name: device.device_display_name.clone(),
            device_message_timing_gap: Some(device.device_message_timing_gap),
            ..base(device, messages_v3(&layout))
        }),
        SpecVersion::V4 => return None,
    })
}

fn messages_v0(layout: &LegacyLayout) -> DeviceMessagesV0 {
    let mut names = BTreeSet::from(["StopDeviceCmd"]);
    if !layout.vibrators.is_empty() {
        names.insert("SingleMotorVibrateCmd");
    }
    if !layout.linears.is_empty() {
        names.insert("FleshlightLaunchFW12Cmd");
    }
    if !layout.rotators.is_empty() {
        names.insert("VorzeA10CycloneCmd");
    }
    names.into_iter().map(str::to_owned).collect()
}

fn messages_v1_v2(layout: &LegacyLayout, v2: bool) -> DeviceMessagesV2 {
    let mut messages = BTreeMap::new();
    messages.insert("StopDeviceCmd".to_owned(), MessageAttributesV2::default());
    let counted = |actuators: &[super::layout::Actuator]| MessageAttributesV2 {
        feature_count: u32::try_from(actuators.len()).ok(),
        step_count: v2.then(|| actuators.iter().map(|a| a.step_count()).collect()),
        endpoints: None,
    };
    for (name, legacy_name, actuators) in [
        ("VibrateCmd", "SingleMotorVibrateCmd", &layout.vibrators),
        ("LinearCmd", "FleshlightLaunchFW12Cmd", &layout.linears),
        ("RotateCmd", "VorzeA10CycloneCmd", &layout.rotators),
    ] {
        if actuators.is_empty() {
            continue;
        }
        messages.insert(name.to_owned(), counted(actuators));
        if !v2 {
            // v1 still advertised the v0 command each generic command replaced.
            messages.insert(legacy_name.to_owned(), MessageAttributesV2::default());
        }
    }
    if v2 {
        for (name, input_type) in [
            ("BatteryLevelCmd", InputType::Battery),
            ("RSSILevelCmd", InputType::Rssi),
        ] {
            if layout
                .first_sensor(input_type, InputCommand::Read)
                .is_some()
            {
                messages.insert(name.to_owned(), MessageAttributesV2::default());
            }
        }
    }
    messages
}

fn messages_v3(layout: &LegacyLayout) -> DeviceMessagesV3 {
    let mut messages = BTreeMap::new();
    messages.insert(
        "StopDeviceCmd".to_owned(),
        MessageAttributesV3::Plain(MessageAttributesV2::default()),
    );
    let actuators = |list: &[super::layout::Actuator], fixed_type: Option<&str>| {
        list.iter()
            .map(|a| FeatureAttributesV3 {
                feature_descriptor: a.description.clone(),
                actuator_type: fixed_type
                    .or(super::layout::v3_actuator_type_name(a.output_type))
                    .map(str::to_owned),
                step_count: Some(a.step_count()),
                ..Default::default()
            })
            .collect::<Vec<_>>()
    };
    for (name, list, fixed_type) in [
        ("ScalarCmd", &layout.scalars, None),
        ("RotateCmd", &layout.rotators, Some("Rotate")),
        ("LinearCmd", &layout.linears, Some("Position")),
    ] {
        if !list.is_empty() {
            messages.insert(
                name.to_owned(),
                MessageAttributesV3::Features(actuators(list, fixed_type)),
            );
        }
    }
    for (name, command) in [
        ("SensorReadCmd", InputCommand::Read),
        ("SensorSubscribeCmd", InputCommand::Subscribe),
    ] {
        let sensors: Vec<_> = layout
            .sensors
            .iter()
            .filter(|s| s.supports(command))
            .map(|s| FeatureAttributesV3 {
                feature_descriptor: s.description.clone(),
                sensor_type: s.v3_type_name().map(str::to_owned),
                sensor_range: Some(s.limits.value.iter().map(|r| [r.min, r.max]).collect()),
                ..Default::default()
            })
            .collect();
        if !sensors.is_empty() {
            messages.insert(name.to_owned(), MessageAttributesV3::Features(sensors));
        }
    }
    messages
}

/// `DeviceList` for `version`, answering `id` (0 when sent because devices changed; v4 only).
pub fn device_list(
    version: SpecVersion,
    id: MessageId,
    devices: &[DeviceInfo],
) -> VersionedServerMessage {
    if version == SpecVersion::V4 {
        return VersionedServerMessage::V4(ServerMessage::DeviceList(DeviceList {
            id,
            devices: devices
                .iter()
                .map(|d| (d.device_index, d.clone()))
                .collect(),
        }));
    }
    let mut v0 = Vec::new();
    let mut v2 = Vec::new();
    let mut v3 = Vec::new();
    for device in devices {
        match downgrade_device(device, version) {
            Some(LegacyDeviceAny::V0(d)) => v0.push(d),
            Some(LegacyDeviceAny::V2(d)) => v2.push(d),
            Some(LegacyDeviceAny::V3(d)) => v3.push(d),
            None => {}
        }
    }
    match version {
        SpecVersion::V0 => {
            VersionedServerMessage::V0(LegacyServerMessage::DeviceList(DeviceListLegacy {
                id,
                devices: v0,
            }))
        }
        SpecVersion::V1 | SpecVersion::V2 => {
            VersionedServerMessage::V2(LegacyServerMessage::DeviceList(DeviceListLegacy {
                id,
                devices: v2,
            }))
        }
        _ => VersionedServerMessage::V3(LegacyServerMessage::DeviceList(DeviceListLegacy {
            id,
            devices: v3,
        })),
    }
}

/// `DeviceAdded` for a v0–v3 client (`None` for v4, which is sent a whole `DeviceList`).
pub fn device_added(version: SpecVersion, device: &DeviceInfo) -> Option<VersionedServerMessage> {
    Some(match downgrade_device(device, version)? {
        LegacyDeviceAny::V0(d) => VersionedServerMessage::V0(LegacyServerMessage::DeviceAdded(
            DeviceAdded::from_device(d),
        )),
        LegacyDeviceAny::V2(d) => VersionedServerMessage::V2(LegacyServerMessage::DeviceAdded(
            DeviceAdded::from_device(d),
        )),
        LegacyDeviceAny::V3(d) => VersionedServerMessage::V3(LegacyServerMessage::DeviceAdded(
            DeviceAdded::from_device(d),
        )),
    })
}

/// `DeviceRemoved` for a v0–v3 client (`None` for v4).
pub fn device_removed(version: SpecVersion, device_index: u32) -> Option<VersionedServerMessage> {
    let removed = DeviceOnly {
        id: 0,
        device_index,
    };
    Some(match version {
        SpecVersion::V0 => VersionedServerMessage::V0(LegacyServerMessage::DeviceRemoved(removed)),
        SpecVersion::V1 | SpecVersion::V2 => {
            VersionedServerMessage::V2(LegacyServerMessage::DeviceRemoved(removed))
        }
        SpecVersion::V3 => VersionedServerMessage::V3(LegacyServerMessage::DeviceRemoved(removed)),
        SpecVersion::V4 => return None,
    })
}

/// A reading answered in the shape the request asked for. `range_top` scales v2 battery levels.
pub fn reading(
    reading: InputReading,
    reply: &ReadingReply,
    range_top: i32,
) -> VersionedServerMessage {
    match reply {
        ReadingReply::Input => VersionedServerMessage::V4(ServerMessage::InputReading(reading)),
        ReadingReply::BatteryLevel => VersionedServerMessage::V2(
            LegacyServerMessage::BatteryLevelReading(BatteryLevelReading {
                id: reading.id,
                device_index: reading.device_index,
                battery_level: if range_top > 0 {
                    f64::from(reading.reading.value()) / f64::from(range_top)
                } else {
                    0.0
                },
            }),
        ),
        ReadingReply::RssiLevel => {
            VersionedServerMessage::V2(LegacyServerMessage::RssiLevelReading(RssiLevelReading {
                id: reading.id,
                device_index: reading.device_index,
                rssi_level: reading.reading.value(),
            }))
        }
        ReadingReply::Sensor {
            sensor_index,
            sensor_type,
        } => VersionedServerMessage::V3(LegacyServerMessage::SensorReading(SensorReading {
            id: reading.id,
            device_index: reading.device_index,
            sensor_index: *sensor_index,
            sensor_type: sensor_type.clone(),
            data: vec![reading.reading.value()],
        })),
    }
}

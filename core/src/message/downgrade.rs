//! Server messages and device descriptions down to the client's spec version.

use std::collections::{BTreeMap, BTreeSet};

use super::id::MessageId;
use super::layout::LegacyLayout;
use super::legacy::*;
use super::upgrade::ReadingReply;
use super::v4::*;
use super::version::SpecVersion;
use super::versioned::VersionedServerMessage;

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

//! Wire forms of spec v0–v3: the messages older clients send and the shapes they expect back.
//!
//! Client messages of every version share one enum ([`super::AnyClientMessage`]); which of
//! them a version may send is decided by [`super::AnyClientMessage::available_in`]. Server
//! messages differ between versions mainly in how a device's messages are described, so
//! [`LegacyServerMessage`] is generic over that description (`A`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::id::MessageId;
use super::v4::{ErrorMessage, IdOnly};

/// `RequestServerInfo` of any version (v0 has no version field, v1–v3 `MessageVersion`, v4
/// `ProtocolVersionMajor`/`Minor`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestServerInfoAny {
    /// Request Id.
    pub id: MessageId,
    /// The client's name.
    pub client_name: String,
    /// Spec version (v1–v3 clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_version: Option<u32>,
    /// Major protocol version (v4 and later clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version_major: Option<u32>,
    /// Minor protocol version (v4 and later clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version_minor: Option<u32>,
}

/// A message addressed to one device and carrying nothing else
/// (`StopDeviceCmd`, `BatteryLevelCmd`, `RSSILevelCmd`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceOnly {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
}

/// `RequestLog` (v0–v1).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestLog {
    /// Request Id.
    pub id: MessageId,
    /// Requested level ("Off", "Fatal", "Error", "Warn", "Info", "Debug", "Trace").
    pub log_level: String,
}

/// `Test` (v0–v1), echoed back by the server.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Test {
    /// Request Id.
    pub id: MessageId,
    /// Text to echo.
    pub test_string: String,
}

/// `SingleMotorVibrateCmd` (v0; deprecated later): every vibrator at one speed.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SingleMotorVibrateCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Speed, 0.0–1.0.
    pub speed: f64,
}

/// A device command carrying a device-specific string (`KiirooCmd`, `LovenseCmd`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceStringCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// The command string.
    pub command: String,
}

/// `FleshlightLaunchFW12Cmd` (v0): position and speed, each 0–99.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleshlightLaunchFw12Cmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Position, 0–99.
    pub position: u32,
    /// Speed, 0–99.
    pub speed: u32,
}

/// `VorzeA10CycloneCmd` (v0): rotation speed 0–99 and direction.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VorzeA10CycloneCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Speed, 0–99.
    pub speed: u32,
    /// Direction.
    pub clockwise: bool,
}

/// One entry of `VibrateCmd`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VibrateSubcommand {
    /// Index among the device's vibrators.
    pub index: u32,
    /// Speed, 0.0–1.0.
    pub speed: f64,
}

/// `VibrateCmd` (v1–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VibrateCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Per-vibrator speeds.
    pub speeds: Vec<VibrateSubcommand>,
}

/// One entry of `LinearCmd`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VectorSubcommand {
    /// Index among the device's linear actuators.
    pub index: u32,
    /// Milliseconds to reach the position.
    pub duration: u32,
    /// Position, 0.0–1.0.
    pub position: f64,
}

/// `LinearCmd` (v1–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LinearCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Per-actuator moves.
    pub vectors: Vec<VectorSubcommand>,
}

/// One entry of `RotateCmd`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationSubcommand {
    /// Index among the device's rotators.
    pub index: u32,
    /// Speed, 0.0–1.0.
    pub speed: f64,
    /// Direction.
    pub clockwise: bool,
}

/// `RotateCmd` (v1–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotateCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Per-rotator speeds.
    pub rotations: Vec<RotationSubcommand>,
}

/// One entry of `ScalarCmd`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalarSubcommand {
    /// Index among the device's scalar actuators.
    pub index: u32,
    /// Level, 0.0–1.0.
    pub scalar: f64,
    /// Actuator type ("Vibrate", "Rotate", "Oscillate", "Constrict", "Inflate", "Position").
    pub actuator_type: String,
}

/// `ScalarCmd` (v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalarCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Per-actuator levels.
    pub scalars: Vec<ScalarSubcommand>,
}

/// `SensorReadCmd`, `SensorSubscribeCmd`, `SensorUnsubscribeCmd` (v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SensorCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Index among the device's sensors.
    pub sensor_index: u32,
    /// Sensor type ("Battery", "RSSI", "Button", "Pressure").
    pub sensor_type: String,
}

/// `RawWriteCmd` (v2–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawWriteCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
    /// Bytes to write.
    pub data: Vec<u8>,
    /// Whether to wait for the device's acknowledgement.
    pub write_with_response: bool,
}

/// `RawReadCmd` (v2–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawReadCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
    /// Bytes expected.
    pub expected_length: u32,
    /// Milliseconds to wait.
    pub timeout: u32,
}

/// `RawSubscribeCmd`, `RawUnsubscribeCmd` (v2–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawEndpointCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Endpoint name.
    pub endpoint: String,
}

/// `ServerInfo` as v0–v3 clients expect it (v0–v1 also carry the three server version fields).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerInfoLegacy {
    /// Id of the `RequestServerInfo`.
    pub id: MessageId,
    /// Milliseconds between required pings; 0 disables.
    pub max_ping_time: u32,
    /// Spec version used on this connection.
    pub message_version: u32,
    /// The server's name.
    pub server_name: String,
    /// Server major version (v0–v1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_version: Option<u32>,
    /// Server minor version (v0–v1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor_version: Option<u32>,
    /// Server build version (v0–v1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_version: Option<u32>,
}

/// A device as v0–v3 device lists describe it; `A` is the version's message description.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegacyDevice<A> {
    /// Server-assigned index.
    pub device_index: u32,
    /// Device name.
    pub device_name: String,
    /// The messages the device accepts.
    pub device_messages: A,
    /// A name the user chose (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_display_name: Option<String>,
    /// Minimum milliseconds between writes (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_message_timing_gap: Option<u32>,
}

/// `DeviceAdded` (v0–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceAdded<A> {
    /// Always 0: an event.
    pub id: MessageId,
    /// Server-assigned index.
    pub device_index: u32,
    /// Device name.
    pub device_name: String,
    /// The messages the device accepts.
    pub device_messages: A,
    /// A name the user chose (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_display_name: Option<String>,
    /// Minimum milliseconds between writes (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_message_timing_gap: Option<u32>,
}

impl<A> DeviceAdded<A> {
    /// The `DeviceAdded` event for `device`.
    pub fn from_device(device: LegacyDevice<A>) -> Self {
        Self {
            id: 0,
            device_index: device.device_index,
            device_name: device.device_name,
            device_messages: device.device_messages,
            device_display_name: device.device_display_name,
            device_message_timing_gap: device.device_message_timing_gap,
        }
    }
}

/// `DeviceList` (v0–v3): an array, not a map.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceListLegacy<A> {
    /// Id of the `RequestDeviceList`.
    pub id: MessageId,
    /// Every connected device.
    pub devices: Vec<LegacyDevice<A>>,
}

/// `Log` (v0–v1).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Log {
    /// Always 0.
    pub id: MessageId,
    /// Level of the entry.
    pub log_level: String,
    /// Text of the entry.
    pub log_message: String,
}

/// `RawReading` (v2–v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawReading {
    /// Id of the read, or 0 for a subscription.
    pub id: MessageId,
    /// Device read.
    pub device_index: u32,
    /// Endpoint read.
    pub endpoint: String,
    /// Bytes read.
    pub data: Vec<u8>,
}

/// `BatteryLevelReading` (v2).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatteryLevelReading {
    /// Id of the `BatteryLevelCmd`.
    pub id: MessageId,
    /// Device read.
    pub device_index: u32,
    /// Battery level, 0.0–1.0.
    pub battery_level: f64,
}

/// `RSSILevelReading` (v2).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RssiLevelReading {
    /// Id of the `RSSILevelCmd`.
    pub id: MessageId,
    /// Device read.
    pub device_index: u32,
    /// Signal strength in dBm.
    #[serde(rename = "RSSILevel")]
    pub rssi_level: i32,
}

/// `SensorReading` (v3).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SensorReading {
    /// Id of the `SensorReadCmd`, or 0 for a subscription.
    pub id: MessageId,
    /// Device read.
    pub device_index: u32,
    /// Index among the device's sensors.
    pub sensor_index: u32,
    /// Sensor type.
    pub sensor_type: String,
    /// Values read.
    pub data: Vec<i32>,
}

/// Everything a server sends a v0–v3 client; `A` is the version's device message description.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "A: Serialize", deserialize = "A: Deserialize<'de>"))]
#[allow(missing_docs)]
pub enum LegacyServerMessage<A> {
    Ok(IdOnly),
    Error(ErrorMessage),
    ServerInfo(ServerInfoLegacy),
    DeviceList(DeviceListLegacy<A>),
    DeviceAdded(DeviceAdded<A>),
    DeviceRemoved(DeviceOnly),
    ScanningFinished(IdOnly),
    Log(Log),
    Test(Test),
    RawReading(RawReading),
    BatteryLevelReading(BatteryLevelReading),
    #[serde(rename = "RSSILevelReading")]
    RssiLevelReading(RssiLevelReading),
    SensorReading(SensorReading),
}

/// v0 device messages: just their names.
pub type DeviceMessagesV0 = Vec<String>;

/// Attributes of one message in v1–v2 device descriptions.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageAttributesV2 {
    /// How many actuators the message drives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_count: Option<u32>,
    /// Steps of each actuator (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_count: Option<Vec<u32>>,
    /// Endpoints of raw messages (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
}

/// v1–v2 device messages: message name to attributes.
pub type DeviceMessagesV2 = BTreeMap<String, MessageAttributesV2>;

/// Attributes of one actuator or sensor in v3 device descriptions.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FeatureAttributesV3 {
    /// Description of the feature.
    #[serde(default)]
    pub feature_descriptor: String,
    /// Actuator type, for output messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actuator_type: Option<String>,
    /// Steps of the actuator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_count: Option<u32>,
    /// Sensor type, for sensor messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_type: Option<String>,
    /// Ranges of the sensor's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_range: Option<Vec<[i32; 2]>>,
}

/// Attributes of one message in v3 device descriptions: a list of features, or a plain object.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageAttributesV3 {
    /// One entry per actuator or sensor (`ScalarCmd`, `LinearCmd`, `SensorReadCmd`, ...).
    Features(Vec<FeatureAttributesV3>),
    /// No per-feature data (`StopDeviceCmd`), or raw endpoints.
    Plain(MessageAttributesV2),
}

/// v3 device messages: message name to attributes.
pub type DeviceMessagesV3 = BTreeMap<String, MessageAttributesV3>;

/// What a server sends a v0 client.
pub type ServerMessageV0 = LegacyServerMessage<DeviceMessagesV0>;
/// What a server sends a v1 or v2 client.
pub type ServerMessageV2 = LegacyServerMessage<DeviceMessagesV2>;
/// What a server sends a v3 client.
pub type ServerMessageV3 = LegacyServerMessage<DeviceMessagesV3>;

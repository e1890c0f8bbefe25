//! Spec v4 messages: the wire form of the current protocol and plugwire's canonical form.
//!
//! Every older spec version is converted to and from these types, so the server's logic is
//! written once, against v4. Field names are PascalCase on the wire, exactly as the published
//! clients send and expect them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::id::MessageId;
use crate::error::ErrorCode;

/// An inclusive `[min, max]` range, as the protocol writes feature limits.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "[i32; 2]", into = "[i32; 2]")]
pub struct Range {
    /// Smallest allowed value.
    pub min: i32,
    /// Largest allowed value.
    pub max: i32,
}

impl Range {
    /// A range from `min` to `max`, both included.
    pub const fn new(min: i32, max: i32) -> Self {
        Self { min, max }
    }

    /// Whether `value` lies inside the range.
    pub fn contains(&self, value: i32) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

impl From<[i32; 2]> for Range {
    fn from([min, max]: [i32; 2]) -> Self {
        Self { min, max }
    }
}

impl From<Range> for [i32; 2] {
    fn from(range: Range) -> Self {
        [range.min, range.max]
    }
}

/// The kinds of output a device feature can drive.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum OutputType {
    Vibrate,
    Rotate,
    Oscillate,
    Constrict,
    Spray,
    Temperature,
    Led,
    Position,
    HwPositionWithDuration,
}

impl OutputType {
    /// Whether 0 means "off" for this output, so that stopping it sets 0 (and 0 is always
    /// accepted, whatever the range). Positions have no "off": a move ends by itself.
    pub fn stops_at_zero(self) -> bool {
        !matches!(self, Self::Position | Self::HwPositionWithDuration)
    }

    /// The command that stops this output, if it has one (see [`OutputType::stops_at_zero`]).
    pub fn stop_command(self) -> Option<OutputCommand> {
        self.stops_at_zero().then(|| OutputCommand::new(self, 0))
    }

    /// Every output type, in protocol order.
    pub const ALL: [OutputType; 9] = [
        Self::Vibrate,
        Self::Rotate,
        Self::Oscillate,
        Self::Constrict,
        Self::Spray,
        Self::Temperature,
        Self::Led,
        Self::Position,
        Self::HwPositionWithDuration,
    ];

    /// The order a feature's outputs are written in a device list, as Buttplug writes them:
    /// the device database's order, which names them sorted (`hw_position_with_duration`
    /// before `oscillate` and `position`), not the order of the enum.
    pub const LISTED: [OutputType; 9] = [
        Self::Constrict,
        Self::HwPositionWithDuration,
        Self::Led,
        Self::Oscillate,
        Self::Position,
        Self::Rotate,
        Self::Spray,
        Self::Temperature,
        Self::Vibrate,
    ];
}

/// The kinds of input (sensor) a device feature can report.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum InputType {
    Battery,
    // The JavaScript client spells it RSSI; the Rust reference spells it Rssi.
    #[serde(alias = "RSSI")]
    Rssi,
    Button,
    Pressure,
    Depth,
    Position,
}

impl InputType {
    /// The order a feature's inputs are written in a device list: the device database's
    /// (sorted by name), as for outputs ([`OutputType::LISTED`]).
    pub const LISTED: [InputType; 6] = [
        Self::Battery,
        Self::Button,
        Self::Depth,
        Self::Position,
        Self::Pressure,
        Self::Rssi,
    ];
}

/// What a client asks of an input.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum InputCommand {
    Read,
    Subscribe,
    Unsubscribe,
}

/// One output value: `{"Value": n}`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OutputValue {
    /// The step to drive the output to, inside the feature's range.
    #[serde(rename = "Value")]
    pub value: i32,
}

/// A position reached over a duration: `{"Value": n, "Duration": ms}`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PositionWithDuration {
    /// Target position step.
    #[serde(rename = "Value")]
    pub value: i32,
    /// Milliseconds to take getting there.
    #[serde(rename = "Duration")]
    pub duration: u32,
}

/// An output command: which output type, and the value for it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum OutputCommand {
    Vibrate(OutputValue),
    Rotate(OutputValue),
    Oscillate(OutputValue),
    Constrict(OutputValue),
    Spray(OutputValue),
    Temperature(OutputValue),
    Led(OutputValue),
    Position(OutputValue),
    HwPositionWithDuration(PositionWithDuration),
}

impl OutputCommand {
    /// Builds a command of `output_type` with `value` (duration 0 for positions with duration).
    pub fn new(output_type: OutputType, value: i32) -> Self {
        let v = OutputValue { value };
        match output_type {
            OutputType::Vibrate => Self::Vibrate(v),
            OutputType::Rotate => Self::Rotate(v),
            OutputType::Oscillate => Self::Oscillate(v),
            OutputType::Constrict => Self::Constrict(v),
            OutputType::Spray => Self::Spray(v),
            OutputType::Temperature => Self::Temperature(v),
            OutputType::Led => Self::Led(v),
            OutputType::Position => Self::Position(v),
            OutputType::HwPositionWithDuration => {
                Self::HwPositionWithDuration(PositionWithDuration { value, duration: 0 })
            }
        }
    }

    /// The output type this command drives.
    pub fn output_type(&self) -> OutputType {
        match self {
            Self::Vibrate(_) => OutputType::Vibrate,
            Self::Rotate(_) => OutputType::Rotate,
            Self::Oscillate(_) => OutputType::Oscillate,
            Self::Constrict(_) => OutputType::Constrict,
            Self::Spray(_) => OutputType::Spray,
            Self::Temperature(_) => OutputType::Temperature,
            Self::Led(_) => OutputType::Led,
            Self::Position(_) => OutputType::Position,
            Self::HwPositionWithDuration(_) => OutputType::HwPositionWithDuration,
        }
    }

    /// The step value carried by the command.
    pub fn value(&self) -> i32 {
        match self {
            Self::Vibrate(v)
            | Self::Rotate(v)
            | Self::Oscillate(v)
            | Self::Constrict(v)
            | Self::Spray(v)
            | Self::Temperature(v)
            | Self::Led(v)
            | Self::Position(v) => v.value,
            Self::HwPositionWithDuration(p) => p.value,
        }
    }

    /// The same command with another step value (a move keeps its duration).
    pub fn with_value(self, value: i32) -> Self {
        match self {
            Self::HwPositionWithDuration(p) => {
                Self::HwPositionWithDuration(PositionWithDuration { value, ..p })
            }
            other => Self::new(other.output_type(), value),
        }
    }

    /// Whether this command stops its output (0 on an output where 0 means "off").
    pub fn is_stop(&self) -> bool {
        self.value() == 0 && self.output_type().stops_at_zero()
    }
}

/// Limits of one output of a feature.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutputLimits {
    /// Allowed step values.
    pub value: Range,
    /// Allowed durations in milliseconds (positions with duration only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Range>,
}

/// Limits and supported commands of one input of a feature.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputLimits {
    /// Ranges of each value the input reports.
    pub value: Vec<Range>,
    /// Which input commands the feature accepts.
    pub command: Vec<InputCommand>,
}

/// One feature of a device: some outputs, some inputs, a description.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceFeature {
    /// Index of the feature within its device.
    pub feature_index: u32,
    /// Human-readable description, e.g. "Clitoral Stimulator".
    #[serde(default)]
    pub feature_description: String,
    /// The outputs this feature drives, by type (written in [`OutputType::LISTED`] order).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "listed::serialize"
    )]
    pub output: BTreeMap<OutputType, OutputLimits>,
    /// The inputs this feature reports, by type (written in [`InputType::LISTED`] order).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "listed::serialize"
    )]
    pub input: BTreeMap<InputType, InputLimits>,
}

/// A device as the v4 `DeviceList` describes it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceInfo {
    /// Server-assigned index of the device.
    pub device_index: u32,
    /// Device name.
    pub device_name: String,
    /// A name the user chose, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_display_name: Option<String>,
    /// Minimum milliseconds between writes to the device.
    #[serde(default)]
    pub device_message_timing_gap: u32,
    /// Features, keyed by feature index (written as a string key on the wire).
    #[serde(with = "index_map")]
    pub device_features: BTreeMap<u32, DeviceFeature>,
}

impl DeviceInfo {
    /// The feature at `index`, if the device has one.
    pub fn feature(&self, index: u32) -> Option<&DeviceFeature> {
        self.device_features.get(&index)
    }
}

/// `RequestServerInfo` as a v4 client sends it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestServerInfo {
    /// Request Id.
    pub id: MessageId,
    /// The client's name.
    pub client_name: String,
    /// Major protocol version the client speaks.
    pub protocol_version_major: u32,
    /// Minor protocol version the client speaks.
    #[serde(default)]
    pub protocol_version_minor: u32,
}

/// A message that carries only its Id (`Ping`, `StartScanning`, `Ok`, ...).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdOnly {
    /// Message Id.
    pub id: MessageId,
}

/// `StopCmd`: stop outputs and/or inputs, of everything, one device, or one feature.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopCmd {
    /// Request Id.
    pub id: MessageId,
    /// Limit the stop to one device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_index: Option<u32>,
    /// Limit the stop to one feature of that device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<u32>,
    /// Stop input subscriptions (default true).
    #[serde(default = "default_true")]
    pub inputs: bool,
    /// Stop outputs (default true).
    #[serde(default = "default_true")]
    pub outputs: bool,
}

fn default_true() -> bool {
    true
}

/// `OutputCmd`: drive one output of one feature.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutputCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Target feature.
    pub feature_index: u32,
    /// What to do.
    pub command: OutputCommand,
}

/// `InputCmd`: read, subscribe to, or unsubscribe from an input.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputCmd {
    /// Request Id.
    pub id: MessageId,
    /// Target device.
    pub device_index: u32,
    /// Target feature.
    pub feature_index: u32,
    /// Which input of the feature.
    #[serde(rename = "Type")]
    pub input_type: InputType,
    /// Read, Subscribe or Unsubscribe.
    pub command: InputCommand,
}

/// `Error`: a request failed, or something went wrong outside any request (Id 0).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorMessage {
    /// Id of the failed request, or 0.
    pub id: MessageId,
    /// Human-readable description.
    pub error_message: String,
    /// The error class.
    pub error_code: ErrorCode,
}

/// `ServerInfo` as sent to a v4 client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerInfo {
    /// Id of the `RequestServerInfo`.
    pub id: MessageId,
    /// Milliseconds between pings the server requires; 0 disables the ping deadline.
    pub max_ping_time: u32,
    /// Protocol major version the server speaks on this connection.
    pub protocol_version_major: u32,
    /// Protocol minor version.
    pub protocol_version_minor: u32,
    /// The server's name.
    pub server_name: String,
}

/// `DeviceList`: every connected device, keyed by index.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceList {
    /// Id of the `RequestDeviceList`, or 0 when sent because devices changed.
    pub id: MessageId,
    /// Devices keyed by device index.
    #[serde(with = "index_map")]
    pub devices: BTreeMap<u32, DeviceInfo>,
}

/// A value reported by an input.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum InputReadingValue {
    Battery(InputValue),
    Rssi(InputValue),
    Button(InputValue),
    Pressure(InputValue),
    Depth(InputValue),
    Position(InputValue),
}

impl InputReadingValue {
    /// A reading of `input_type` with `value`.
    pub fn new(input_type: InputType, value: i32) -> Self {
        let v = InputValue { value };
        match input_type {
            InputType::Battery => Self::Battery(v),
            InputType::Rssi => Self::Rssi(v),
            InputType::Button => Self::Button(v),
            InputType::Pressure => Self::Pressure(v),
            InputType::Depth => Self::Depth(v),
            InputType::Position => Self::Position(v),
        }
    }

    /// Which input this reading came from.
    pub fn input_type(&self) -> InputType {
        match self {
            Self::Battery(_) => InputType::Battery,
            Self::Rssi(_) => InputType::Rssi,
            Self::Button(_) => InputType::Button,
            Self::Pressure(_) => InputType::Pressure,
            Self::Depth(_) => InputType::Depth,
            Self::Position(_) => InputType::Position,
        }
    }

    /// The value read.
    pub fn value(&self) -> i32 {
        match self {
            Self::Battery(v)
            | Self::Rssi(v)
            | Self::Button(v)
            | Self::Pressure(v)
            | Self::Depth(v)
            | Self::Position(v) => v.value,
        }
    }
}

/// `{"Value": n}` inside an input reading.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputValue {
    /// The value read.
    #[serde(rename = "Value")]
    pub value: i32,
}

/// `InputReading`: the answer to a read, or (Id 0) a subscribed update.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputReading {
    /// Id of the `InputCmd` read, or 0 for a subscription update.
    pub id: MessageId,
    /// Device that reported.
    pub device_index: u32,
    /// Feature that reported.
    pub feature_index: u32,
    /// The reading.
    pub reading: InputReadingValue,
}

/// Everything a v4 client may send.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ClientMessage {
    RequestServerInfo(RequestServerInfo),
    Ping(IdOnly),
    StartScanning(IdOnly),
    StopScanning(IdOnly),
    RequestDeviceList(IdOnly),
    StopCmd(StopCmd),
    OutputCmd(OutputCmd),
    InputCmd(InputCmd),
    Disconnect(IdOnly),
}

impl ClientMessage {
    /// The message's Id.
    pub fn id(&self) -> MessageId {
        match self {
            Self::RequestServerInfo(m) => m.id,
            Self::Ping(m)
            | Self::StartScanning(m)
            | Self::StopScanning(m)
            | Self::RequestDeviceList(m)
            | Self::Disconnect(m) => m.id,
            Self::StopCmd(m) => m.id,
            Self::OutputCmd(m) => m.id,
            Self::InputCmd(m) => m.id,
        }
    }

    /// Replaces the message's Id (a connector numbers requests as it sends them).
    pub fn set_id(&mut self, id: MessageId) {
        match self {
            Self::RequestServerInfo(m) => m.id = id,
            Self::Ping(m)
            | Self::StartScanning(m)
            | Self::StopScanning(m)
            | Self::RequestDeviceList(m)
            | Self::Disconnect(m) => m.id = id,
            Self::StopCmd(m) => m.id = id,
            Self::OutputCmd(m) => m.id = id,
            Self::InputCmd(m) => m.id = id,
        }
    }
}

/// Everything a server may send a v4 client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ServerMessage {
    Ok(IdOnly),
    Error(ErrorMessage),
    ServerInfo(ServerInfo),
    DeviceList(DeviceList),
    ScanningFinished(IdOnly),
    InputReading(InputReading),
}

impl ServerMessage {
    /// The message's Id (0 for events the server sent on its own).
    pub fn id(&self) -> MessageId {
        match self {
            Self::Ok(m) | Self::ScanningFinished(m) => m.id,
            Self::Error(m) => m.id,
            Self::ServerInfo(m) => m.id,
            Self::DeviceList(m) => m.id,
            Self::InputReading(m) => m.id,
        }
    }

    /// An `Error` with `id`, `code` and `message`.
    pub fn error(id: MessageId, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error(ErrorMessage {
            id,
            error_message: message.into(),
            error_code: code,
        })
    }

    /// An `Ok` answering `id`.
    pub fn ok(id: MessageId) -> Self {
        Self::Ok(IdOnly { id })
    }
}

/// A feature's outputs and inputs, written in their types' `LISTED` order (a type missing
/// from it, which the tests rule out, would come last).
mod listed {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde::ser::{SerializeMap, Serializer};

    use super::{InputType, OutputType};

    /// A type with a listing order.
    pub trait Listed: Ord + Copy + 'static {
        /// Every value, in listing order.
        const ORDER: &'static [Self];
    }

    impl Listed for OutputType {
        const ORDER: &'static [Self] = &OutputType::LISTED;
    }

    impl Listed for InputType {
        const ORDER: &'static [Self] = &InputType::LISTED;
    }

    pub fn serialize<K: Listed + Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&K, &V)> = map.iter().collect();
        entries.sort_by_key(|(key, _)| {
            K::ORDER
                .iter()
                .position(|listed| listed == *key)
                .unwrap_or(usize::MAX)
        });
        let mut out = serializer.serialize_map(Some(entries.len()))?;
        for (key, value) in entries {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
}

/// Maps keyed by `u32` indexes, written with string keys as JSON requires.
///
/// Formats with integer keys (MessagePack) are accepted too on the way in.
pub(crate) mod index_map {
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
    use serde::ser::{SerializeMap, Serializer};

    pub fn serialize<V: serde::Serialize, S: Serializer>(
        map: &BTreeMap<u32, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(map.len()))?;
        for (key, value) in map {
            out.serialize_entry(&key.to_string(), value)?;
        }
        out.end()
    }

    pub fn deserialize<'de, V: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<u32, V>, D::Error> {
        struct IndexMapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for IndexMapVisitor<V> {
            type Value = BTreeMap<u32, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map keyed by index")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some(key) = access.next_key::<IndexKey>()? {
                    let value = access.next_value()?;
                    map.insert(key.0, value);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(IndexMapVisitor(std::marker::PhantomData))
    }

    /// A key that is an index written either as a string of digits or as an integer.
    struct IndexKey(u32);

    impl<'de> Deserialize<'de> for IndexKey {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = IndexKey;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an index")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<IndexKey, E> {
                    v.parse()
                        .map(IndexKey)
                        .map_err(|_| E::custom("index key is not a number"))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<IndexKey, E> {
                    u32::try_from(v)
                        .map(IndexKey)
                        .map_err(|_| E::custom("index key too large"))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<IndexKey, E> {
                    u32::try_from(v)
                        .map(IndexKey)
                        .map_err(|_| E::custom("index key out of range"))
                }
            }
            deserializer.deserialize_any(KeyVisitor)
        }
    }
}

impl crate::Outgoing for ClientMessage {}

impl crate::Outgoing for ServerMessage {}

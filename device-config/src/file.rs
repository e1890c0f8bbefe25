//! The Buttplug device-configuration file (schema version 5, and 4 where it differs only in its
//! version number), field for field as the published JSON schema has it. Unknown fields are
//! refused so a typo in a user's file is reported, not ignored; what plugwire does not use is
//! still read, and the module docs of [`super`] say what each field does here.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole file: a database (`protocols`), a user configuration (`user_configs`), or both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    pub(crate) version: FileVersion,
    #[serde(default)]
    pub(crate) protocols: BTreeMap<String, ProtocolEntry>,
    #[serde(default)]
    pub(crate) user_configs: Option<UserConfigs>,
}

/// `version`: `major` decides the layout; `minor` counts database releases.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileVersion {
    pub(crate) major: u32,
    #[serde(default)]
    pub(crate) minor: u32,
}

/// One protocol of the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProtocolEntry {
    #[serde(default)]
    pub(crate) communication: Vec<CommunicationEntry>,
    pub(crate) defaults: Option<ModelEntry>,
    #[serde(default)]
    pub(crate) configurations: Vec<ModelEntry>,
}

/// One way a protocol's devices are reached. Exactly one key per entry. The kinds plugwire has
/// no hardware manager for are read (so a file that gets them wrong is refused) and kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum CommunicationEntry {
    Btle(BtleEntry),
    Serial(SerialEntry),
    Websocket(WebsocketEntry),
    Usb(UsbEntry),
    Hid(UsbEntry),
    #[serde(rename = "sdl-gamepad")]
    SdlGamepad(serde_json::Value),
    LovenseConnectService(serde_json::Value),
    Simulated(SimulatedEntry),
    Xinput(serde_json::Value),
}

/// `btle`: names (exact, or a prefix ending in `*`), advertised services and manufacturer data
/// that claim a device, and the services whose characteristics are its endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BtleEntry {
    /// Advertised names: exact, or a prefix ending in `*`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Manufacturer data that identifies the protocol.
    #[serde(default)]
    pub manufacturer_data: Vec<ManufacturerData>,
    /// Advertised service UUIDs that identify the protocol on their own.
    #[serde(default)]
    pub advertised_services: Vec<String>,
    /// Service UUID → endpoint name → characteristic UUID.
    #[serde(default)]
    pub services: BTreeMap<String, BTreeMap<String, String>>,
}

/// Manufacturer data to match: the company id, optionally the data's leading bytes and its
/// exact length.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerData {
    /// Bluetooth SIG company identifier.
    pub company: u16,
    /// Leading bytes of the data.
    #[serde(default)]
    pub data: Option<Vec<u8>>,
    /// The data's exact length.
    #[serde(default)]
    pub expected_length: Option<usize>,
}

/// `serial`: a port and its framing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialEntry {
    /// Port name (`default` in the database: the user's configuration names the real one).
    pub port: String,
    /// Baud rate.
    pub baud_rate: u32,
    /// Data bits (5–8).
    pub data_bits: u8,
    /// Parity: `N`, `O` or `E`.
    pub parity: String,
    /// Stop bits (1 or 2).
    pub stop_bits: u8,
}

/// `websocket`: the identifier a device sends when it dials the device WebSocket server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsocketEntry {
    /// The identifier to match.
    pub name: String,
}

/// `usb` and `hid`: vendor and product id pairs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsbEntry {
    /// The pairs that identify the device.
    pub pairs: Vec<UsbPair>,
}

/// One USB vendor and product id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsbPair {
    /// Vendor id.
    pub vendor_id: u16,
    /// Product id.
    pub product_id: u16,
}

/// `simulated`: names of simulated device archetypes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedEntry {
    /// The archetype names.
    pub names: Vec<String>,
}

/// A model (`configurations[]`), or a protocol's `defaults`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelEntry {
    #[serde(default)]
    pub(crate) identifier: Vec<String>,
    pub(crate) name: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) protocol_variant: Option<String>,
    pub(crate) features: Option<Vec<FeatureEntry>>,
    /// plugwire's extension before it read the Buttplug layout; still accepted in plugwire's
    /// own files (the v5 place for it is a user device's `user_config`).
    pub(crate) message_gap_ms: Option<u32>,
}

/// One feature of a model.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeatureEntry {
    pub(crate) index: Option<u32>,
    #[serde(default)]
    pub(crate) description: String,
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) output: BTreeMap<String, OutputEntry>,
    #[serde(default)]
    pub(crate) input: BTreeMap<String, InputEntry>,
    #[serde(default)]
    pub(crate) feature_settings: Option<FeatureSettings>,
}

/// An output's step range (and, for moves, the duration range).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutputEntry {
    pub(crate) value: [i32; 2],
    pub(crate) duration: Option<[i32; 2]>,
    /// What the output does, for people (the feature's description says it for clients).
    #[allow(dead_code)]
    pub(crate) description: Option<String>,
}

/// An input's value ranges and the commands it takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputEntry {
    pub(crate) value: Vec<[i32; 2]>,
    pub(crate) command: Vec<plugwire_core::message::InputCommand>,
}

/// `feature_settings`: per-feature protocol settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeatureSettings {
    /// Which of a protocol's alternative command slots drives this feature.
    pub(crate) alt_protocol_index: Option<u32>,
}

/// `user_configs`: what a person adds to the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserConfigs {
    /// Per protocol: more ways to reach its devices, and more models.
    #[serde(default)]
    pub(crate) protocols: BTreeMap<String, UserProtocolEntry>,
    /// Customisations of single devices, by address.
    #[serde(default)]
    pub(crate) devices: Vec<UserDeviceEntry>,
    /// Simulated devices to add at start.
    #[serde(default)]
    pub(crate) simulated_devices: Vec<UserSimulatedEntry>,
}

/// A user's additions to one protocol.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserProtocolEntry {
    #[serde(default)]
    pub(crate) communication: Vec<CommunicationEntry>,
    #[serde(default)]
    pub(crate) devices: Option<UserProtocolModels>,
    // The pre-v5 user layout put these directly in the protocol; still read.
    pub(crate) defaults: Option<ModelEntry>,
    #[serde(default)]
    pub(crate) configurations: Vec<ModelEntry>,
}

/// `user_configs.protocols.NAME.devices`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserProtocolModels {
    #[serde(default)]
    pub(crate) configurations: Vec<ModelEntry>,
}

/// One device a user customised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserDeviceEntry {
    pub(crate) identifier: UserDeviceIdentifier,
    pub(crate) config: UserDeviceConfig,
}

/// Which device: its address and protocol (and model identifier, when the protocol has one).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserDeviceIdentifier {
    pub(crate) address: String,
    pub(crate) protocol: String,
    pub(crate) identifier: Option<String>,
}

/// What changes for that device.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserDeviceConfig {
    pub(crate) name: Option<String>,
    #[allow(dead_code)]
    pub(crate) id: String,
    #[allow(dead_code)]
    pub(crate) base_id: String,
    #[serde(default)]
    pub(crate) features: Vec<UserFeatureEntry>,
    pub(crate) user_config: UserCustomisation,
}

/// A user's change to one feature of the model (`base_id` names the model's feature).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserFeatureEntry {
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[allow(dead_code)]
    pub(crate) id: String,
    pub(crate) base_id: String,
    #[serde(default)]
    pub(crate) output: BTreeMap<String, UserOutputEntry>,
}

/// A user's change to one output: a narrower range, disabled, reversed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserOutputEntry {
    pub(crate) value: Option<[i32; 2]>,
    pub(crate) duration: Option<[i32; 2]>,
    #[serde(default)]
    pub(crate) disabled: bool,
    #[serde(default)]
    pub(crate) reverse: bool,
}

/// `user_config`: allow/deny, display name, the index to list it under, its message gap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserCustomisation {
    pub(crate) allow: bool,
    pub(crate) deny: bool,
    pub(crate) display_name: Option<String>,
    pub(crate) index: u32,
    pub(crate) message_gap_ms: Option<u32>,
}

/// A simulated device a user asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserSimulatedEntry {
    pub(crate) identifier: String,
    pub(crate) display_name: Option<String>,
    pub(crate) address: String,
}

//! The device database, in the Buttplug device-configuration layout (v5; v4 files load too):
//! protocols → the ways their devices are reached (`communication`) → the models
//! (`configurations`, with the protocol's `defaults` behind them) and each model's features
//! (outputs and inputs with their ranges).
//!
//! # The built-in database is Buttplug's
//!
//! plugwire's default device knowledge is the published Buttplug database, byte for byte: the
//! file `buttplug-device-config-v5.json` inside the `buttplug_server_device_config` crate
//! (version [`BUILTIN_VERSION`]), kept here as data and parsed by this module like any file a
//! user gives. Parsing it ourselves (rather than depending on that crate's types) is what
//! `--device-config-file` needs anyway, keeps one code path for built-in and user files, and
//! keeps the Buttplug server's dependency tree out of plugwire. Updating is one step:
//! `scripts/update-device-database VERSION` fetches the crate from crates.io and copies the
//! file in; the test `the_builtin_database_is_the_pinned_buttplug_release` then names the new
//! version to pin.
//!
//! # What each field does here
//!
//! - `version.major` must be 4 or 5 (the layouts agree); `minor` is reported.
//! - `communication`: `btle` (names, `*` prefixes, advertised services, manufacturer data with
//!   `data` prefix and `expected_length`, services → endpoints) is matched by the Bluetooth LE
//!   manager; `serial` and `websocket` are read for their hardware managers; `usb`, `hid`,
//!   `sdl-gamepad`, `lovense_connect_service`, `xinput` and `simulated` are read and have no
//!   hardware manager in plugwire (yet).
//! - `defaults` / `configurations`: `identifier` picks the model, `name` lists it, `id` is
//!   kept, `protocol_variant` selects the protocol's packet shape for that model, `features`
//!   (when a model has none it takes the defaults') with `index` (gaps allowed; it is the
//!   feature index clients see), `description`, `id`, `output`, `input` and
//!   `feature_settings.alt_protocol_index` (read; the protocols that use it read it).
//! - An output's `value` and `duration` ranges are listed to clients as Buttplug lists them
//!   ([`listed_range`]): from 0 to the range's end, or from minus the end when the range
//!   reaches below 0; a client's value reaches the protocol unchanged. umove's heat, `[37, 42]`
//!   here, is listed `[0, 42]`, and a client's 21 is the protocol's 21.
//! - `user_configs.protocols`: more `communication` entries and more models for a protocol.
//! - `user_configs.devices`: per device (by address and protocol): `deny` (never connect),
//!   `allow` (once any device is allowed, only allowed devices connect), `display_name`,
//!   `index` (the device index it is listed under, when free), `message_gap_ms`, a new `name`, and per
//!   feature (by `base_id`) a narrower `value`/`duration` range, `disabled` outputs, and
//!   `reverse` for positions.
//! - `user_configs.simulated_devices`: read; plugwire's own simulated devices are chosen on
//!   the command line.
//!
//! A protocol plugwire has no driver for loads like any other: it is known, its models are
//! listed as not drivable, and a device that matches it is reported, not attached.

mod endpoint;
mod file;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use plugwire_core::message::{
    DeviceFeature, InputLimits, InputType, OutputLimits, OutputType, Range,
};

pub use self::endpoint::{Endpoint, UnknownEndpoint};
pub use self::file::{
    BtleEntry, ManufacturerData, SerialEntry, SimulatedEntry, UsbEntry, UsbPair, WebsocketEntry,
};
use self::file::{
    CommunicationEntry, ConfigFile, FeatureEntry, ModelEntry, ProtocolEntry, UserDeviceEntry,
    UserSimulatedEntry,
};

/// The Buttplug database release built in: (major, minor).
pub const BUILTIN_VERSION: (u32, u32) = (5, 57);

/// The built-in database (Buttplug's, unchanged).
const BUILTIN: &str = include_str!("buttplug-device-config-v5.json");

/// A configuration file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{place}: {kind}")]
pub struct ConfigError {
    /// File and position (`FILE line L column C`) or path inside it (`FILE: protocols.x...`).
    pub place: String,
    /// What is wrong.
    #[source]
    pub kind: ConfigErrorKind,
}

/// What is wrong with a configuration file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// It could not be read.
    #[error("cannot read it")]
    Io(#[source] std::io::Error),
    /// It is not JSON of the configuration's layout.
    #[error("{0}")]
    Syntax(#[source] serde_json::Error),
    /// Its `version.major` is not a layout plugwire reads.
    #[error("version {0} is not a device-configuration version plugwire reads (4 or 5)")]
    UnsupportedVersion(u32),
    /// An endpoint name that is not one of the database's.
    #[error(transparent)]
    UnknownEndpoint(#[from] UnknownEndpoint),
    /// An output key that is not an output type.
    #[error("unknown output type {0:?}")]
    UnknownOutput(String),
    /// An input key that is not an input type.
    #[error("unknown input type {0:?}")]
    UnknownInput(String),
    /// A range whose start is above its end.
    #[error("the range's start is above its end")]
    InvertedRange,
    /// A protocol's defaults without a name or features.
    #[error("defaults need a name and features")]
    IncompleteDefaults,
    /// A user device's feature names a feature the model does not have.
    #[error("the model has no feature with id {0}")]
    UnknownBaseFeature(String),
    /// A user configuration names a protocol the database does not know (a typo, usually).
    #[error("unknown protocol {name:?}{}", closest_hint(closest))]
    UnknownProtocol {
        /// The name given.
        name: String,
        /// The known names closest to it, closest first.
        closest: Vec<String>,
    },
}

/// ` (did you mean "a" or "b"?)`, or nothing when no name is close.
fn closest_hint(closest: &[String]) -> String {
    if closest.is_empty() {
        return String::new();
    }
    let names: Vec<String> = closest.iter().map(|name| format!("{name:?}")).collect();
    format!("; did you mean {}?", names.join(" or "))
}

/// How many edits turn `a` into `b` (Levenshtein distance).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let replace = previous[j] + usize::from(ca != *cb);
            current.push(replace.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// What an advertisement looked like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advertisement {
    /// Advertised name.
    pub name: String,
    /// Advertised service UUIDs (lowercase).
    pub services: Vec<String>,
    /// Manufacturer data by company id.
    pub manufacturer_data: BTreeMap<u16, Vec<u8>>,
}

/// A model's name, features and settings, ready for the device manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDefinition {
    /// The model's id in the database.
    pub id: Option<String>,
    /// Name to list the device under.
    pub name: String,
    /// The device index a user reserved for it.
    pub index: Option<u32>,
    /// The name a user gave it.
    pub display_name: Option<String>,
    /// The protocol's packet shape for this model, when the protocol has several.
    pub protocol_variant: Option<String>,
    /// Minimum milliseconds between writes, when the configuration sets it (else the
    /// protocol's own).
    pub message_gap_ms: Option<u32>,
    /// Its features, each with its configured index.
    pub features: Vec<DeviceFeature>,
    /// Outputs a user asked to run backwards (positions): feature index and type.
    pub reversed: Vec<(u32, OutputType)>,
    /// Per feature (in order), the protocol's alternative command slot, when configured.
    pub alt_protocol_index: Vec<Option<u32>>,
}

/// One model of the database, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The protocol's name.
    pub protocol: String,
    /// The model's name.
    pub name: String,
    /// The packet shape of its protocol it takes (`protocol_variant`), if the protocol has several.
    pub variant: Option<String>,
}

/// A protocol as the configuration knows it.
#[derive(Debug, Clone, Default)]
struct ProtocolDefinition {
    communication: Vec<CommunicationEntry>,
    defaults: Option<ModelEntry>,
    configurations: Vec<ModelEntry>,
}

/// A device configuration: the database plus what users added.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    version: (u32, u32),
    protocols: BTreeMap<String, ProtocolDefinition>,
    user_devices: Vec<UserDeviceEntry>,
    simulated_devices: Vec<UserSimulatedEntry>,
}

impl DeviceConfig {
    /// The built-in database (Buttplug's, release [`BUILTIN_VERSION`]).
    pub fn builtin() -> Self {
        // Tested (`the_builtin_database_is_the_pinned_buttplug_release`); an error here is a
        // build defect, reported rather than hidden.
        match Self::parse("built-in device database", BUILTIN) {
            Ok(config) => config,
            Err(error) => {
                tracing::error!(%error, "the built-in device database is invalid");
                Self::empty()
            }
        }
    }

    /// A configuration that knows no devices.
    pub fn empty() -> Self {
        Self {
            version: BUILTIN_VERSION,
            protocols: BTreeMap::new(),
            user_devices: Vec::new(),
            simulated_devices: Vec::new(),
        }
    }

    /// Loads a configuration file in place of the built-in one.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let (place, text) = read(path)?;
        Self::parse(&place, &text)
    }

    /// Parses and checks a configuration; `place` names it in errors.
    pub fn parse(place: &str, text: &str) -> Result<Self, ConfigError> {
        let file = parse_file(place, text)?;
        let mut config = Self {
            version: (file.version.major, file.version.minor),
            protocols: file
                .protocols
                .into_iter()
                .map(|(name, entry)| (name, ProtocolDefinition::from(entry)))
                .collect(),
            user_devices: Vec::new(),
            simulated_devices: Vec::new(),
        };
        if let Some(user) = file.user_configs {
            config.add_user_configs(user);
        }
        Ok(config)
    }

    /// Adds a user configuration file: Buttplug's layout (`user_configs`: more ways to reach a
    /// protocol's devices, more models, per-device customisations), or plugwire's earlier one
    /// (`protocols` whose names and services are added, and whose models replace the
    /// database's of the same identifier).
    pub fn merge_user_file(&mut self, place: &str, text: &str) -> Result<(), ConfigError> {
        let file = parse_file(place, text)?;
        // A user configuration adds to protocols the database has; a name it does not know is
        // a typo that would otherwise do nothing, silently.
        let named = file
            .protocols
            .keys()
            .chain(file.user_configs.iter().flat_map(|user| {
                user.protocols
                    .keys()
                    .chain(user.devices.iter().map(|d| &d.identifier.protocol))
            }));
        for name in named {
            self.known_protocol(name).map_err(|kind| ConfigError {
                place: place.to_owned(),
                kind,
            })?;
        }
        for (name, entry) in file.protocols {
            self.merge_protocol(name, entry);
        }
        if let Some(user) = file.user_configs {
            self.add_user_configs(user);
        }
        Ok(())
    }

    /// `Ok` when the database has a protocol called `name`; else the error naming the known
    /// names closest to it.
    fn known_protocol(&self, name: &str) -> Result<(), ConfigErrorKind> {
        if self.protocols.contains_key(name) {
            return Ok(());
        }
        let mut near: Vec<(usize, &String)> = self
            .protocols
            .keys()
            .map(|known| (edit_distance(name, known), known))
            .filter(|(distance, _)| *distance <= name.chars().count().div_ceil(3).max(2))
            .collect();
        near.sort();
        Err(ConfigErrorKind::UnknownProtocol {
            name: name.to_owned(),
            closest: near
                .into_iter()
                .take(3)
                .map(|(_, known)| known.clone())
                .collect(),
        })
    }

    /// Loads a user configuration file and adds it.
    pub fn merge_user_path(&mut self, path: &Path) -> Result<(), ConfigError> {
        let (place, text) = read(path)?;
        self.merge_user_file(&place, &text)
    }

    fn add_user_configs(&mut self, user: file::UserConfigs) {
        for (name, entry) in user.protocols {
            let mut configurations = entry.configurations;
            configurations.extend(entry.devices.into_iter().flat_map(|d| d.configurations));
            self.merge_protocol(
                name,
                ProtocolEntry {
                    communication: entry.communication,
                    defaults: entry.defaults,
                    configurations,
                },
            );
        }
        self.user_devices.extend(user.devices);
        self.simulated_devices.extend(user.simulated_devices);
    }

    /// Adds a protocol's entries: communication is added (Bluetooth names and services join
    /// the first `btle` entry), defaults replace, a model with a known identifier replaces
    /// that model's name, features and settings.
    fn merge_protocol(&mut self, name: String, entry: ProtocolEntry) {
        let existing = self.protocols.entry(name).or_default();
        for communication in entry.communication {
            let first_btle = existing.communication.iter_mut().find_map(|c| match c {
                CommunicationEntry::Btle(btle) => Some(btle),
                _ => None,
            });
            match (communication, first_btle) {
                (CommunicationEntry::Btle(added), Some(btle)) => {
                    btle.names.extend(added.names);
                    btle.advertised_services.extend(added.advertised_services);
                    btle.manufacturer_data.extend(added.manufacturer_data);
                    btle.services.extend(added.services);
                }
                (other, _) => existing.communication.push(other),
            }
        }
        if let Some(defaults) = entry.defaults {
            existing.defaults = Some(defaults);
        }
        for model in entry.configurations {
            let same = existing
                .configurations
                .iter_mut()
                .find(|m| m.identifier.iter().any(|id| model.identifier.contains(id)));
            match same {
                Some(known) => {
                    known.name = model.name.or(known.name.take());
                    known.message_gap_ms = model.message_gap_ms.or(known.message_gap_ms);
                    known.features = model.features.or(known.features.take());
                    known.protocol_variant =
                        model.protocol_variant.or(known.protocol_variant.take());
                }
                None => existing.configurations.push(model),
            }
        }
    }

    /// The file's version (major, minor).
    pub fn version(&self) -> (u32, u32) {
        self.version
    }

    /// The protocol whose Bluetooth LE entry claims `advertisement`, with that entry.
    pub fn match_advertisement(&self, advertisement: &Advertisement) -> Option<(&str, &BtleEntry)> {
        self.protocols.iter().find_map(|(name, protocol)| {
            protocol.communication.iter().find_map(|c| match c {
                CommunicationEntry::Btle(btle) if matches(btle, advertisement) => {
                    Some((name.as_str(), btle))
                }
                _ => None,
            })
        })
    }

    /// Every serial entry, by protocol.
    pub fn serial_entries(&self) -> impl Iterator<Item = (&str, &SerialEntry)> {
        self.protocols.iter().flat_map(|(name, protocol)| {
            protocol.communication.iter().filter_map(move |c| match c {
                CommunicationEntry::Serial(serial) => Some((name.as_str(), serial)),
                _ => None,
            })
        })
    }

    /// The protocol whose `serial` entry names `port` (the database's entries name `default`,
    /// so only a user configuration claims a real port), with that entry.
    pub fn match_serial_port(&self, port: &str) -> Option<(&str, &SerialEntry)> {
        self.serial_entries()
            .find(|(_, serial)| serial.port != "default" && serial.port == port)
    }

    /// Every `websocket` entry's identifier, with its protocol.
    pub fn websocket_identifiers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.protocols.iter().flat_map(|(name, protocol)| {
            protocol.communication.iter().filter_map(move |c| match c {
                CommunicationEntry::Websocket(w) => Some((w.name.as_str(), name.as_str())),
                _ => None,
            })
        })
    }

    /// The protocol whose `websocket` entry has this identifier.
    pub fn match_websocket(&self, identifier: &str) -> Option<&str> {
        self.protocols.iter().find_map(|(name, protocol)| {
            protocol
                .communication
                .iter()
                .any(|c| matches!(c, CommunicationEntry::Websocket(w) if w.name == identifier))
                .then_some(name.as_str())
        })
    }

    /// Every endpoint `protocol`'s configuration names (the endpoints of its Bluetooth LE
    /// entries' services), and `tx` and `rx`: what a device of that protocol offers when it
    /// carries every endpoint over one link, as a device WebSocket connection does. Empty for
    /// a protocol the configuration does not know.
    pub fn protocol_endpoints(&self, protocol: &str) -> BTreeSet<Endpoint> {
        let Some(definition) = self.protocols.get(protocol) else {
            return BTreeSet::new();
        };
        let named = definition
            .communication
            .iter()
            .filter_map(|c| match c {
                CommunicationEntry::Btle(btle) => Some(btle),
                _ => None,
            })
            .flat_map(|btle| btle.services.values())
            .flat_map(|endpoints| endpoints.keys())
            // Every name was checked when the file was read.
            .filter_map(|name| name.parse::<Endpoint>().ok());
        [Endpoint::Tx, Endpoint::Rx]
            .into_iter()
            .chain(named)
            .collect()
    }

    /// Whether a device at `address` may be connected: not denied, and allowed when any device
    /// is on the allow list.
    pub fn is_allowed(&self, address: &str) -> bool {
        let mine = |entry: &&UserDeviceEntry| entry.identifier.address == address;
        if self
            .user_devices
            .iter()
            .filter(mine)
            .any(|d| d.config.user_config.deny)
        {
            return false;
        }
        let allow_list = self.user_devices.iter().any(|d| d.config.user_config.allow);
        !allow_list
            || self
                .user_devices
                .iter()
                .filter(mine)
                .any(|d| d.config.user_config.allow)
    }

    /// The model of `protocol` with `identifier` (or the protocol's defaults).
    pub fn definition(&self, protocol: &str, identifier: &str) -> Option<DeviceDefinition> {
        let config = self.protocols.get(protocol)?;
        let model = config
            .configurations
            .iter()
            .find(|m| m.identifier.iter().any(|id| id == identifier));
        let defaults = config.defaults.as_ref();
        let name = model
            .and_then(|m| m.name.clone())
            .or_else(|| defaults.and_then(|d| d.name.clone()))?;
        let features = model
            .and_then(|m| m.features.as_ref())
            .or_else(|| defaults.and_then(|d| d.features.as_ref()))?;
        Some(DeviceDefinition {
            id: model.or(defaults).and_then(|m| m.id.clone()),
            name,
            index: None,
            display_name: None,
            protocol_variant: model
                .and_then(|m| m.protocol_variant.clone())
                .or_else(|| defaults.and_then(|d| d.protocol_variant.clone())),
            message_gap_ms: model
                .and_then(|m| m.message_gap_ms)
                .or_else(|| defaults.and_then(|d| d.message_gap_ms)),
            features: features.iter().zip(0u32..).map(to_feature).collect(),
            reversed: Vec::new(),
            alt_protocol_index: features
                .iter()
                .map(|f| {
                    f.feature_settings
                        .as_ref()
                        .and_then(|s| s.alt_protocol_index)
                })
                .collect(),
        })
    }

    /// The model of `protocol` with `identifier`, as the user configured the device at
    /// `address` (name, display name, message gap, narrower ranges, disabled and reversed
    /// outputs).
    pub fn definition_for(
        &self,
        protocol: &str,
        identifier: &str,
        address: &str,
    ) -> Result<Option<DeviceDefinition>, ConfigError> {
        let Some(mut definition) = self.definition(protocol, identifier) else {
            return Ok(None);
        };
        let customised = self.user_devices.iter().find(|d| {
            d.identifier.address == address
                && d.identifier.protocol == protocol
                && d.identifier
                    .identifier
                    .as_deref()
                    .is_none_or(|id| id == identifier)
        });
        if let Some(device) = customised {
            self.customise(&mut definition, protocol, identifier, device)?;
        }
        Ok(Some(definition))
    }

    fn customise(
        &self,
        definition: &mut DeviceDefinition,
        protocol: &str,
        identifier: &str,
        device: &UserDeviceEntry,
    ) -> Result<(), ConfigError> {
        let user = &device.config;
        if let Some(name) = &user.name {
            definition.name.clone_from(name);
        }
        definition.display_name = user.user_config.display_name.clone();
        definition.index = Some(user.user_config.index);
        if user.user_config.message_gap_ms.is_some() {
            definition.message_gap_ms = user.user_config.message_gap_ms;
        }
        let ids = self.feature_ids(protocol, identifier);
        for (f, feature) in user.features.iter().enumerate() {
            let place = || ConfigError {
                place: format!(
                    "user configuration: devices[{}].config.features[{f}]",
                    device.identifier.address
                ),
                kind: ConfigErrorKind::UnknownBaseFeature(feature.base_id.clone()),
            };
            let position = ids
                .iter()
                .position(|id| id.as_deref() == Some(feature.base_id.as_str()))
                .ok_or_else(place)?;
            let Some(target) = definition.features.get_mut(position) else {
                return Err(place());
            };
            if let Some(description) = &feature.description {
                target.feature_description.clone_from(description);
            }
            for (key, change) in &feature.output {
                let output_type = output_type(key).ok_or_else(|| ConfigError {
                    place: format!("user configuration: {}", device.identifier.address),
                    kind: ConfigErrorKind::UnknownOutput(key.clone()),
                })?;
                if change.disabled {
                    target.output.remove(&output_type);
                    continue;
                }
                if let Some(limits) = target.output.get_mut(&output_type) {
                    if let Some(value) = change.value {
                        limits.value = listed_user_range(limits.value, value);
                    }
                    if let Some(duration) = change.duration {
                        let base = limits.duration.unwrap_or(Range::new(0, 0));
                        limits.duration = Some(listed_user_range(base, duration));
                    }
                }
                if change.reverse {
                    definition
                        .reversed
                        .push((target.feature_index, output_type));
                }
            }
        }
        Ok(())
    }

    /// The feature ids of a model, in order.
    fn feature_ids(&self, protocol: &str, identifier: &str) -> Vec<Option<String>> {
        let Some(config) = self.protocols.get(protocol) else {
            return Vec::new();
        };
        config
            .configurations
            .iter()
            .find(|m| m.identifier.iter().any(|id| id == identifier))
            .and_then(|m| m.features.as_ref())
            .or_else(|| config.defaults.as_ref().and_then(|d| d.features.as_ref()))
            .map(|features| features.iter().map(|f| f.id.clone()).collect())
            .unwrap_or_default()
    }

    /// Every model entry: each configuration, and the defaults of a protocol that has none.
    pub fn models(&self) -> impl Iterator<Item = Model> + '_ {
        self.protocols.iter().flat_map(|(protocol, definition)| {
            let models: Vec<&ModelEntry> = if definition.configurations.is_empty() {
                definition.defaults.iter().collect()
            } else {
                definition.configurations.iter().collect()
            };
            models.into_iter().map(move |model| Model {
                protocol: protocol.clone(),
                name: model
                    .name
                    .clone()
                    .or_else(|| definition.defaults.as_ref()?.name.clone())
                    .unwrap_or_default(),
                variant: model
                    .protocol_variant
                    .clone()
                    .or_else(|| definition.defaults.as_ref()?.protocol_variant.clone()),
            })
        })
    }

    /// The names of every protocol the database knows.
    pub fn protocol_names(&self) -> impl Iterator<Item = &str> {
        self.protocols.keys().map(String::as_str)
    }

    /// The simulated devices a user configuration asks for: identifier, display name, address.
    pub fn user_simulated_devices(&self) -> impl Iterator<Item = (&str, Option<&str>, &str)> {
        self.simulated_devices.iter().map(|s| {
            (
                s.identifier.as_str(),
                s.display_name.as_deref(),
                s.address.as_str(),
            )
        })
    }
}

impl From<ProtocolEntry> for ProtocolDefinition {
    fn from(entry: ProtocolEntry) -> Self {
        Self {
            communication: entry.communication,
            defaults: entry.defaults,
            configurations: entry.configurations,
        }
    }
}

fn read(path: &Path) -> Result<(String, String), ConfigError> {
    let place = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((place, text)),
        Err(error) => Err(ConfigError {
            place,
            kind: ConfigErrorKind::Io(error),
        }),
    }
}

/// Parses a file and checks what serde cannot: the version, endpoint names, feature keys and
/// ranges.
fn parse_file(place: &str, text: &str) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = serde_json::from_str(text).map_err(|e| ConfigError {
        place: format!("{place} line {} column {}", e.line(), e.column()),
        kind: ConfigErrorKind::Syntax(e),
    })?;
    if !(4..=5).contains(&file.version.major) {
        return Err(ConfigError {
            place: format!("{place}: version.major"),
            kind: ConfigErrorKind::UnsupportedVersion(file.version.major),
        });
    }
    for (name, protocol) in &file.protocols {
        check_protocol(&format!("{place}: protocols.{name}"), protocol)?;
    }
    if let Some(user) = &file.user_configs {
        for (name, protocol) in &user.protocols {
            let at = format!("{place}: user_configs.protocols.{name}");
            check_communication(&at, &protocol.communication)?;
            let models = protocol
                .devices
                .iter()
                .flat_map(|d| d.configurations.iter())
                .chain(&protocol.configurations);
            for (i, model) in models.enumerate() {
                check_model(&format!("{at}.configurations[{i}]"), model)?;
            }
        }
    }
    Ok(file)
}

fn matches(btle: &BtleEntry, advertisement: &Advertisement) -> bool {
    let name_matches = btle
        .names
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => advertisement.name.starts_with(prefix),
            None => advertisement.name == *pattern,
        });
    let service_matches = btle.advertised_services.iter().any(|uuid| {
        advertisement
            .services
            .iter()
            .any(|s| s.eq_ignore_ascii_case(uuid))
    });
    let manufacturer_matches = btle.manufacturer_data.iter().any(|wanted| {
        advertisement
            .manufacturer_data
            .get(&wanted.company)
            .is_some_and(|data| {
                wanted
                    .data
                    .as_ref()
                    .is_none_or(|prefix| data.starts_with(prefix))
                    && wanted
                        .expected_length
                        .is_none_or(|length| data.len() == length)
            })
    });
    name_matches || service_matches || manufacturer_matches
}

/// The output type a configuration key names.
pub fn output_type(key: &str) -> Option<OutputType> {
    Some(match key {
        "vibrate" => OutputType::Vibrate,
        "rotate" => OutputType::Rotate,
        "oscillate" => OutputType::Oscillate,
        "constrict" => OutputType::Constrict,
        "spray" => OutputType::Spray,
        "temperature" => OutputType::Temperature,
        "led" => OutputType::Led,
        "position" => OutputType::Position,
        "hw_position_with_duration" => OutputType::HwPositionWithDuration,
        _ => return None,
    })
}

/// The input type a configuration key names.
pub fn input_type(key: &str) -> Option<InputType> {
    Some(match key {
        "battery" => InputType::Battery,
        "rssi" => InputType::Rssi,
        "button" => InputType::Button,
        "pressure" => InputType::Pressure,
        "depth" => InputType::Depth,
        "position" => InputType::Position,
        _ => return None,
    })
}

/// The range clients are shown for a database range `[start, end]`, as Buttplug lists it:
/// the steps from 0 to `end`, mirrored below 0 when the range reaches below 0 (`[-end, end]`).
/// A start above 0 is not shown: umove's heat, `[37, 42]` in the database, is listed as
/// `[0, 42]`. A client's value reaches the protocol unchanged, as in Buttplug, where a value
/// on a database range is the value itself (and 0 stays 0, off).
pub fn listed_range([start, end]: [i32; 2]) -> Range {
    let end = end.max(0);
    if start < 0 {
        Range::new(-end, end)
    } else {
        Range::new(0, end)
    }
}

/// The range clients are shown for a user's narrower `[start, end]` of an output listed as
/// `base`. From 0 it is listed as the database's are ([`listed_range`]): `[0, end]`, or
/// `[-end, end]` when `base` reaches below 0, with values reaching the protocol unchanged, as
/// in Buttplug. A range starting elsewhere is listed as it is, and a value in it reaches the
/// protocol unchanged, so the protocol gets numbers from the same range as from Buttplug;
/// only the listing differs (Buttplug lists `[0, end - start]`, mirrored when `base` reaches
/// below 0, and adds `start` to every value but 0 on its way to the protocol).
fn listed_user_range(base: Range, [start, end]: [i32; 2]) -> Range {
    if start == 0 {
        let mirrored = if base.min < 0 { -1 } else { 0 };
        listed_range([mirrored, end])
    } else {
        Range::new(start, end)
    }
}

/// A configured feature, indexed by its `index` (or its position, in files without one).
fn to_feature((config, position): (&FeatureEntry, u32)) -> DeviceFeature {
    DeviceFeature {
        feature_index: config.index.unwrap_or(position),
        feature_description: config.description.clone(),
        output: config
            .output
            .iter()
            .filter_map(|(key, o)| {
                Some((
                    output_type(key)?,
                    OutputLimits {
                        value: listed_range(o.value),
                        duration: o.duration.map(listed_range),
                    },
                ))
            })
            .collect(),
        input: config
            .input
            .iter()
            .filter_map(|(key, i)| {
                Some((
                    input_type(key)?,
                    InputLimits {
                        value: i.value.iter().copied().map(Range::from).collect(),
                        command: i.command.clone(),
                    },
                ))
            })
            .collect(),
    }
}

fn check_communication(at: &str, communication: &[CommunicationEntry]) -> Result<(), ConfigError> {
    for (c, entry) in communication.iter().enumerate() {
        let CommunicationEntry::Btle(btle) = entry else {
            continue;
        };
        for (service, endpoints) in &btle.services {
            for endpoint in endpoints.keys() {
                endpoint.parse::<Endpoint>().map_err(|e| ConfigError {
                    place: format!("{at}.communication[{c}].btle.services.{service}.{endpoint}"),
                    kind: e.into(),
                })?;
            }
        }
    }
    Ok(())
}

fn check_model(at: &str, model: &ModelEntry) -> Result<(), ConfigError> {
    let fail = |path: String, kind| ConfigError {
        place: format!("{at}{path}"),
        kind,
    };
    for (f, feature) in model.features.iter().flatten().enumerate() {
        for (key, output) in &feature.output {
            let path = format!(".features[{f}].output.{key}");
            if output_type(key).is_none() {
                return Err(fail(path, ConfigErrorKind::UnknownOutput(key.clone())));
            }
            if output.value[0] > output.value[1] {
                return Err(fail(
                    format!("{path}.value"),
                    ConfigErrorKind::InvertedRange,
                ));
            }
        }
        for (key, input) in &feature.input {
            let path = format!(".features[{f}].input.{key}");
            if input_type(key).is_none() {
                return Err(fail(path, ConfigErrorKind::UnknownInput(key.clone())));
            }
            if input.value.iter().any(|r| r[0] > r[1]) {
                return Err(fail(
                    format!("{path}.value"),
                    ConfigErrorKind::InvertedRange,
                ));
            }
        }
    }
    Ok(())
}

fn check_protocol(at: &str, protocol: &ProtocolEntry) -> Result<(), ConfigError> {
    check_communication(at, &protocol.communication)?;
    if let Some(defaults) = &protocol.defaults {
        check_model(&format!("{at}.defaults"), defaults)?;
        if defaults.name.is_none() || defaults.features.is_none() {
            return Err(ConfigError {
                place: format!("{at}.defaults"),
                kind: ConfigErrorKind::IncompleteDefaults,
            });
        }
    }
    for (i, model) in protocol.configurations.iter().enumerate() {
        check_model(&format!("{at}.configurations[{i}]"), model)?;
    }
    Ok(())
}

//! Device configuration, in the Buttplug device-config v5 JSON layout: protocols →
//! communication specifiers (which advertisements a protocol claims) → the features of each
//! model (outputs and inputs with their ranges).
//!
//! plugwire ships a file for the protocols it implements; a user file can add names to match
//! or override a model's name and features. A bad file is reported with where the problem is.

use std::collections::BTreeMap;
use std::path::Path;

use plugwire_core::message::{
    DeviceFeature, InputCommand, InputLimits, InputType, OutputLimits, OutputType, Range,
};
use serde::Deserialize;

use crate::protocol;

/// The configuration plugwire ships.
const SHIPPED: &str = include_str!("plugwire-device-config.json");

/// A configuration file could not be used; `place` says where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ConfigError {
    /// File and position (`FILE line L column C`) or path inside it (`FILE: protocols.x...`).
    pub place: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileVersion {
    major: u32,
    #[allow(dead_code)]
    minor: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    version: FileVersion,
    #[serde(default)]
    protocols: BTreeMap<String, ProtocolConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolConfig {
    #[serde(default)]
    communication: Vec<Communication>,
    defaults: Option<ModelConfig>,
    #[serde(default)]
    configurations: Vec<ModelConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum Communication {
    Btle(BtleConfig),
}

/// Which BLE advertisements a protocol claims, and how its endpoints map to characteristics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BtleConfig {
    /// Advertised names: exact, or a prefix ending in `*`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Advertised service UUIDs that identify the protocol on their own.
    #[serde(default)]
    pub advertised_services: Vec<String>,
    /// Manufacturer data that identifies the protocol.
    #[serde(default)]
    pub manufacturer_data: Vec<ManufacturerData>,
    /// Service UUID → endpoint name → characteristic UUID.
    #[serde(default)]
    pub services: BTreeMap<String, BTreeMap<String, String>>,
}

/// Manufacturer data to match: the company id, and optionally the data's first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerData {
    /// Bluetooth SIG company identifier.
    pub company: u16,
    /// Leading bytes of the data.
    #[serde(default)]
    pub data: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelConfig {
    #[serde(default)]
    identifier: Vec<String>,
    name: Option<String>,
    message_gap_ms: Option<u32>,
    features: Option<Vec<FeatureConfig>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureConfig {
    #[serde(default)]
    description: String,
    #[serde(default)]
    output: BTreeMap<String, OutputConfig>,
    #[serde(default)]
    input: BTreeMap<String, InputConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputConfig {
    value: [i32; 2],
    duration: Option<[i32; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputConfig {
    value: Vec<[i32; 2]>,
    command: Vec<InputCommand>,
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

/// A model's name, message gap and features, ready for the device manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDefinition {
    /// Name to list the device under.
    pub name: String,
    /// Minimum milliseconds between writes.
    pub message_gap_ms: u32,
    /// Its features.
    pub features: Vec<DeviceFeature>,
}

/// A device configuration: the shipped file, plus any user file.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    protocols: BTreeMap<String, ProtocolConfig>,
}

impl DeviceConfig {
    /// The configuration plugwire ships.
    pub fn shipped() -> Self {
        // The shipped file is tested (`the_shipped_configuration_loads`); an error here is a
        // build defect, reported rather than hidden.
        match Self::parse("plugwire-device-config.json", SHIPPED) {
            Ok(config) => config,
            Err(error) => {
                tracing::error!(%error, "the shipped device configuration is invalid");
                Self {
                    protocols: BTreeMap::new(),
                }
            }
        }
    }

    /// Loads a configuration file in place of the shipped one.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let place = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            place: place.clone(),
            message: e.to_string(),
        })?;
        Self::parse(&place, &text)
    }

    /// Parses and checks a configuration; `place` names it in errors.
    pub fn parse(place: &str, text: &str) -> Result<Self, ConfigError> {
        let file: ConfigFile = serde_json::from_str(text).map_err(|e| ConfigError {
            place: format!("{place} line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        if file.version.major != 5 {
            return Err(ConfigError {
                place: format!("{place}: version.major"),
                message: format!(
                    "version {} is not the supported device-config version 5",
                    file.version.major
                ),
            });
        }
        for (name, protocol) in &file.protocols {
            check_protocol(place, name, protocol)?;
        }
        Ok(Self {
            protocols: file.protocols,
        })
    }

    /// Adds a user file: names and services are added to a protocol's, and a model with the
    /// same identifier as a shipped one replaces its name, gap or features.
    pub fn merge_user_file(&mut self, place: &str, text: &str) -> Result<(), ConfigError> {
        let user = Self::parse(place, text)?;
        for (name, protocol) in user.protocols {
            let Some(existing) = self.protocols.get_mut(&name) else {
                self.protocols.insert(name, protocol);
                continue;
            };
            for communication in protocol.communication {
                let Communication::Btle(added) = communication;
                match existing.communication.iter_mut().next() {
                    Some(Communication::Btle(btle)) => {
                        btle.names.extend(added.names);
                        btle.advertised_services.extend(added.advertised_services);
                        btle.manufacturer_data.extend(added.manufacturer_data);
                        btle.services.extend(added.services);
                    }
                    None => existing.communication.push(Communication::Btle(added)),
                }
            }
            if let Some(defaults) = protocol.defaults {
                existing.defaults = Some(defaults);
            }
            for model in protocol.configurations {
                let same = existing
                    .configurations
                    .iter_mut()
                    .find(|m| m.identifier.iter().any(|id| model.identifier.contains(id)));
                match same {
                    Some(shipped) => {
                        shipped.name = model.name.or(shipped.name.take());
                        shipped.message_gap_ms = model.message_gap_ms.or(shipped.message_gap_ms);
                        shipped.features = model.features.or(shipped.features.take());
                    }
                    None => existing.configurations.push(model),
                }
            }
        }
        Ok(())
    }

    /// Loads a user file and adds it.
    pub fn merge_user_path(&mut self, path: &Path) -> Result<(), ConfigError> {
        let place = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            place: place.clone(),
            message: e.to_string(),
        })?;
        self.merge_user_file(&place, &text)
    }

    /// The protocol whose BLE specifier claims `advertisement`, with that specifier.
    pub fn match_advertisement(
        &self,
        advertisement: &Advertisement,
    ) -> Option<(&str, &BtleConfig)> {
        self.protocols.iter().find_map(|(name, protocol)| {
            protocol
                .communication
                .iter()
                .find_map(|Communication::Btle(btle)| {
                    matches(btle, advertisement).then_some((name.as_str(), btle))
                })
        })
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
        let message_gap_ms = model
            .and_then(|m| m.message_gap_ms)
            .or_else(|| defaults.and_then(|d| d.message_gap_ms))
            .unwrap_or(0);
        let features = model
            .and_then(|m| m.features.as_ref())
            .or_else(|| defaults.and_then(|d| d.features.as_ref()))?;
        Some(DeviceDefinition {
            name,
            message_gap_ms,
            features: features.iter().map(to_feature).collect(),
        })
    }
}

fn matches(btle: &BtleConfig, advertisement: &Advertisement) -> bool {
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
            })
    });
    name_matches || service_matches || manufacturer_matches
}

fn output_type(key: &str) -> Option<OutputType> {
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

fn input_type(key: &str) -> Option<InputType> {
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

fn to_feature(config: &FeatureConfig) -> DeviceFeature {
    DeviceFeature {
        feature_index: 0,
        feature_description: config.description.clone(),
        output: config
            .output
            .iter()
            .filter_map(|(key, o)| {
                Some((
                    output_type(key)?,
                    OutputLimits {
                        value: Range::from(o.value),
                        duration: o.duration.map(Range::from),
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

/// Checks what serde cannot: known protocols, endpoint names, feature keys, ranges.
fn check_protocol(place: &str, name: &str, protocol: &ProtocolConfig) -> Result<(), ConfigError> {
    let fail = |path: String, message: String| ConfigError {
        place: format!("{place}: protocols.{name}{path}"),
        message,
    };
    if !protocol::is_implemented(name) {
        return Err(fail(
            String::new(),
            format!("plugwire has no implementation of protocol {name:?}"),
        ));
    }
    for (c, Communication::Btle(btle)) in protocol.communication.iter().enumerate() {
        for (service, endpoints) in &btle.services {
            for endpoint in endpoints.keys() {
                endpoint.parse::<super::hardware::Endpoint>().map_err(|e| {
                    fail(
                        format!(".communication[{c}].btle.services.{service}.{endpoint}"),
                        e.to_string(),
                    )
                })?;
            }
        }
    }
    let models = protocol
        .defaults
        .iter()
        .map(|m| (".defaults".to_owned(), m))
        .chain(
            protocol
                .configurations
                .iter()
                .enumerate()
                .map(|(i, m)| (format!(".configurations[{i}]"), m)),
        );
    for (path, model) in models {
        for (f, feature) in model.features.iter().flatten().enumerate() {
            for (key, output) in &feature.output {
                let at = format!("{path}.features[{f}].output.{key}");
                if output_type(key).is_none() {
                    return Err(fail(at, format!("unknown output type {key:?}")));
                }
                if output.value[0] > output.value[1] {
                    return Err(fail(
                        format!("{at}.value"),
                        "the range's start is above its end".into(),
                    ));
                }
            }
            for (key, input) in &feature.input {
                let at = format!("{path}.features[{f}].input.{key}");
                if input_type(key).is_none() {
                    return Err(fail(at, format!("unknown input type {key:?}")));
                }
                if input.value.iter().any(|r| r[0] > r[1]) {
                    return Err(fail(
                        format!("{at}.value"),
                        "a range's start is above its end".into(),
                    ));
                }
            }
        }
    }
    if protocol
        .defaults
        .as_ref()
        .is_some_and(|d| d.name.is_none() || d.features.is_none())
    {
        return Err(fail(
            ".defaults".into(),
            "defaults need a name and features".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

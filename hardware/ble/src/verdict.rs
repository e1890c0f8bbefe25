//! What plugwire does with an advertising device: the database model and protocol that claim
//! it, and whether it is connected, or why not. The hardware manager acts on it; `plugwire
//! scan` prints it.

use std::fmt;

use btleplug::api::PeripheralProperties;
use plugwire_devices::config::{Advertisement, DeviceConfig};
use plugwire_devices::{AttachError, admit, protocols};
use uuid::Uuid;

/// What plugwire does with one advertising device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A protocol claims it and plugwire has a driver: `serve` connects it while scanning.
    Drivable(Claim),
    /// No protocol's Bluetooth entry claims its name, advertised services or manufacturer data.
    Unknown,
    /// The user configuration denies it: a `deny` entry for its address, or an allow list
    /// without it.
    Denied(Claim),
    /// A protocol claims it, but plugwire has no driver for that protocol (`protocol_driven`
    /// false) or for this model's variant of it (`protocol_driven` true).
    NoDriver {
        /// Who claims it.
        claim: Claim,
        /// plugwire drives the protocol, but not this model's variant.
        protocol_driven: bool,
    },
    /// Refused before connecting for another reason, in words.
    Refused {
        /// Who claims it.
        claim: Claim,
        /// Why not.
        reason: String,
    },
}

/// The protocol that claims a device, and the database's model for its advertised name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The protocol's name in the database.
    pub protocol: String,
    /// The model's name (the protocol's default name when the model is told only once
    /// connected, as a Lovense's is).
    pub model: Option<String>,
}

impl Verdict {
    /// Whether `serve` connects it while scanning.
    pub fn is_drivable(&self) -> bool {
        matches!(self, Self::Drivable(_))
    }

    /// The protocol and model that claim it, if any does.
    pub fn claim(&self) -> Option<&Claim> {
        match self {
            Self::Drivable(claim) | Self::Denied(claim) => Some(claim),
            Self::NoDriver { claim, .. } | Self::Refused { claim, .. } => Some(claim),
            Self::Unknown => None,
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.model {
            Some(model) => write!(f, "{model} ({})", self.protocol),
            None => write!(f, "({})", self.protocol),
        }
    }
}

/// One line's end: `Lovense Device (lovense): drivable`, `unknown name: matches no protocol`,
/// `... (lovense): denied by the user configuration`, `... (muse): protocol muse has no
/// driver`.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Drivable(claim) => write!(f, "{claim}: drivable"),
            Self::Unknown => f.write_str("unknown name: matches no protocol"),
            Self::Denied(claim) => write!(f, "{claim}: denied by the user configuration"),
            Self::NoDriver {
                claim,
                protocol_driven: false,
            } => write!(f, "{claim}: protocol {} has no driver", claim.protocol),
            Self::NoDriver {
                claim,
                protocol_driven: true,
            } => write!(
                f,
                "{claim}: protocol {} has no driver for this model",
                claim.protocol
            ),
            Self::Refused { claim, reason } => write!(f, "{claim}: {reason}"),
        }
    }
}

/// What an advertisement, as the stack reports it, says to the device configuration.
pub fn advertisement(properties: &PeripheralProperties) -> Advertisement {
    Advertisement {
        name: properties.local_name.clone().unwrap_or_default(),
        services: properties.services.iter().map(Uuid::to_string).collect(),
        manufacturer_data: properties
            .manufacturer_data
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect(),
    }
}

/// What plugwire does with a device advertising `advertisement` at `address`: the same
/// decision the hardware manager takes before connecting (`plugwire_devices::admit`).
pub fn judge(config: &DeviceConfig, advertisement: &Advertisement, address: &str) -> Verdict {
    match config.match_advertisement(advertisement) {
        None => Verdict::Unknown,
        Some((protocol, _)) => judge_claimed(config, protocol, &advertisement.name, address),
    }
}

/// The verdict on a device `protocol` claims.
pub(crate) fn judge_claimed(
    config: &DeviceConfig,
    protocol: &str,
    name: &str,
    address: &str,
) -> Verdict {
    let claim = Claim {
        protocol: protocol.to_owned(),
        model: config.definition(protocol, name).map(|model| model.name),
    };
    match admit(config, protocol, name, address) {
        Ok(()) => Verdict::Drivable(claim),
        Err(AttachError::NotAllowed(_)) => Verdict::Denied(claim),
        Err(AttachError::NoDriver { .. }) => Verdict::NoDriver {
            protocol_driven: protocols::is_implemented(protocol),
            claim,
        },
        Err(other) => Verdict::Refused {
            claim,
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Advertisement {
        Advertisement {
            name: name.to_owned(),
            ..Advertisement::default()
        }
    }

    #[test]
    fn each_verdict_reads_as_a_person_asks() {
        let mut config = DeviceConfig::builtin();
        config
            .merge_user_file(
                "test",
                r#"{"version":{"major":4,"minor":0},"user_configs":{"devices":[
                    {"identifier":{"address":"AA:00:00:00:00:04","protocol":"lovense"},
                     "config":{"id":"x","base_id":"y",
                       "user_config":{"allow":false,"deny":true,"index":0}}}]}}"#,
            )
            .expect("a user configuration");
        let lovense = judge(&config, &named("LVS-Hush"), "AA:00:00:00:00:01");
        assert!(lovense.is_drivable());
        assert_eq!(lovense.to_string(), "Lovense Device (lovense): drivable");
        assert_eq!(
            judge(&config, &named("Kitchen Scale"), "AA:00:00:00:00:02").to_string(),
            "unknown name: matches no protocol"
        );
        assert!(!protocols::is_implemented("muse"));
        let muse = judge(&config, &named("WB-TDD"), "AA:00:00:00:00:03");
        assert_eq!(muse.claim().map(|c| c.protocol.as_str()), Some("muse"));
        assert!(
            muse.to_string().ends_with(": protocol muse has no driver"),
            "{muse}"
        );
        assert_eq!(
            judge(&config, &named("LVS-Hush"), "AA:00:00:00:00:04").to_string(),
            "Lovense Device (lovense): denied by the user configuration"
        );
    }
}

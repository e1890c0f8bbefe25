//! The device database joined with the protocols plugwire has: which models it can drive, and
//! counts that describe a configuration. The database itself knows no driver.

use crate::config::DeviceConfig;
use crate::protocols;

/// One model of the database, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelListing {
    /// The protocol's name.
    pub protocol: String,
    /// The model's name.
    pub name: String,
    /// Whether plugwire has a driver for it.
    pub drivable: bool,
}

/// Counts that describe a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigSummary {
    /// The file's version (major, minor).
    pub version: (u32, u32),
    /// Protocols in it.
    pub protocols: usize,
    /// Protocols plugwire has a driver for.
    pub protocols_with_driver: usize,
    /// Model entries (each configuration, and the defaults of a protocol with none).
    pub models: usize,
    /// Model entries plugwire can drive.
    pub models_drivable: usize,
}

/// Every model entry of `config`: each configuration, and the defaults of a protocol that has
/// none, with whether plugwire drives it.
pub fn models(config: &DeviceConfig) -> impl Iterator<Item = ModelListing> + '_ {
    config.models().map(|model| ModelListing {
        drivable: protocols::drives(&model.protocol, model.variant.as_deref()),
        protocol: model.protocol,
        name: model.name,
    })
}

/// Counts of `config`'s protocols and models, known and drivable.
pub fn summary(config: &DeviceConfig) -> ConfigSummary {
    let (models, models_drivable) = models(config).fold((0, 0), |(all, drivable), m| {
        (all + 1, drivable + usize::from(m.drivable))
    });
    ConfigSummary {
        version: config.version(),
        protocols: config.protocol_names().count(),
        protocols_with_driver: config
            .protocol_names()
            .filter(|name| protocols::is_implemented(name))
            .count(),
        models,
        models_drivable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_plugwire_drives_is_in_the_builtin_database() {
        let builtin = DeviceConfig::builtin();
        let summary = summary(&builtin);
        assert_eq!((summary.protocols, summary.models), (149, 873));
        for protocol in protocols::implemented() {
            assert!(
                builtin.protocol_names().any(|name| name == protocol),
                "{protocol} is in the database"
            );
        }
        assert_eq!(
            summary.protocols_with_driver,
            protocols::implemented().count()
        );
        assert!(summary.models_drivable > 0 && summary.models_drivable < summary.models);
    }

    #[test]
    fn a_protocol_without_a_driver_is_known_but_not_drivable() {
        let config = DeviceConfig::builtin();
        let gamepads: Vec<ModelListing> =
            models(&config).filter(|m| m.protocol == "xinput").collect();
        assert_eq!(gamepads.len(), 1);
        assert!(gamepads.iter().all(|m| !m.drivable));
        assert!(
            models(&config)
                .any(|m| m.protocol == "lovense" && m.name == "Lovense Edge" && m.drivable)
        );
        // Every variant of vorze-sa is driven, the piston's too.
        assert!(models(&config).any(|m| m.name == "Vorze Piston" && m.drivable));
    }

    #[test]
    fn a_database_of_protocols_without_drivers_counts_none_drivable() {
        let config = DeviceConfig::parse(
            "unknown.json",
            r#"{"version":{"major":5,"minor":0},"protocols":{"teleporter":{"communication":[{"btle":{"names":["Beam*"],"services":{}}}],"defaults":{"name":"Teleporter","id":"00000000-0000-0000-0000-000000000001","features":[]}}}}"#,
        )
        .expect("an unknown protocol is not an error");
        let summary = summary(&config);
        assert_eq!((summary.protocols, summary.protocols_with_driver), (1, 0));
        assert_eq!((summary.models, summary.models_drivable), (1, 0));
    }
}

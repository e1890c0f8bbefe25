//! The text frame a device sends first, naming itself.

use serde::Deserialize;

use crate::DeviceWebSocketError;

/// What a device says about itself when it connects:
/// `{"identifier":"LVSDevice","address":"8A3D9FAC2A45","version":0}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Identification {
    /// Matched against the configuration's `websocket` entries; the device's name.
    pub identifier: String,
    /// The device's address, for user device entries.
    pub address: String,
    /// The identification's version (0 today).
    #[serde(default)]
    pub version: u32,
}

impl Identification {
    /// Reads an identification frame's text.
    pub fn parse(text: &str) -> Result<Self, DeviceWebSocketError> {
        serde_json::from_str(text).map_err(DeviceWebSocketError::BadIdentification)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_frame_is_read_and_junk_refused() {
        let id = Identification::parse(
            r#"{"identifier":"LVSDevice","address":"8A3D9FAC2A45","version":0}"#,
        )
        .expect("the reference frame");
        assert_eq!(id.identifier, "LVSDevice");
        assert_eq!(id.address, "8A3D9FAC2A45");
        assert!(Identification::parse(r#"{"identifier":"x"}"#).is_err());
        assert!(Identification::parse("DeviceType;").is_err());
    }
}

//! The protocol's messages as Rust types: the canonical v4 form, the wire forms of v0–v3, and
//! the conversions between them. Pure data and serde; no I/O.

mod any_client;
mod batch;
mod downgrade;
mod layout;
pub mod legacy;
mod lenient;
mod shared;
mod upgrade;
pub mod v4;

pub use any_client::AnyClientMessage;
pub use batch::Batch;
pub use downgrade::{
    LegacyDeviceAny, device_added, device_list, device_removed, downgrade_device, reading,
    server_info,
};
pub use layout::{Actuator, LegacyLayout, Sensor, v3_actuator_type_name, v3_sensor_type_name};
pub use lenient::{InvalidMessage, Lenient, name_and_id};
pub use shared::SharedDeviceList;
pub use upgrade::{ReadingReply, Upgraded, upgrade};
pub use v4::*;

use serde::Serialize;

/// A message Id: chosen by the client, 1 or above; 0 marks events the server sends on its own.
pub type MessageId = u32;

/// Id of messages the server sends on its own (device changes, scanning finished, readings).
pub const EVENT_ID: MessageId = 0;

/// The protocol spec versions plugwire speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum SpecVersion {
    V0,
    V1,
    V2,
    V3,
    V4,
}

impl SpecVersion {
    /// The newest version plugwire speaks.
    pub const NEWEST: SpecVersion = SpecVersion::V4;

    /// Every version plugwire speaks, oldest first.
    pub const ALL: [SpecVersion; 5] = [Self::V0, Self::V1, Self::V2, Self::V3, Self::V4];

    /// How many versions plugwire speaks.
    pub const COUNT: usize = Self::ALL.len();

    /// A distinct number below [`Self::COUNT`] for each version, for tables indexed by version.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The version's number.
    pub fn number(self) -> u32 {
        match self {
            Self::V0 => 0,
            Self::V1 => 1,
            Self::V2 => 2,
            Self::V3 => 3,
            Self::V4 => 4,
        }
    }

    /// The version numbered `number`, if plugwire speaks it.
    pub fn from_number(number: u32) -> Option<Self> {
        Some(match number {
            0 => Self::V0,
            1 => Self::V1,
            2 => Self::V2,
            3 => Self::V3,
            4 => Self::V4,
            _ => return None,
        })
    }

    /// The version a `RequestServerInfo` asks for.
    ///
    /// `Err` carries the number asked for when it is newer than plugwire knows.
    pub fn requested_by(request: &legacy::RequestServerInfoAny) -> Result<Self, u32> {
        let number = request
            .protocol_version_major
            .or(request.message_version)
            .unwrap_or(0);
        Self::from_number(number).ok_or(number)
    }
}

impl std::fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", self.number())
    }
}

/// A server message in the form the session's spec version expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)]
pub enum VersionedServerMessage {
    V0(legacy::ServerMessageV0),
    V2(legacy::ServerMessageV2),
    V3(legacy::ServerMessageV3),
    V4(ServerMessage),
    /// A `DeviceList` whose devices are shared between replies (any version).
    SharedDeviceList(SharedDeviceList),
}

impl VersionedServerMessage {
    /// An `Error` in the shape `version` expects (the same in every version).
    pub fn error(
        version: SpecVersion,
        id: MessageId,
        code: crate::ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        let error = ErrorMessage {
            id,
            error_message: message.into(),
            error_code: code,
        };
        match version {
            SpecVersion::V0 => Self::V0(legacy::LegacyServerMessage::Error(error)),
            SpecVersion::V1 | SpecVersion::V2 => {
                Self::V2(legacy::LegacyServerMessage::Error(error))
            }
            SpecVersion::V3 => Self::V3(legacy::LegacyServerMessage::Error(error)),
            SpecVersion::V4 => Self::V4(ServerMessage::Error(error)),
        }
    }

    /// An `Ok` in the shape `version` expects.
    pub fn ok(version: SpecVersion, id: MessageId) -> Self {
        let ok = IdOnly { id };
        match version {
            SpecVersion::V0 => Self::V0(legacy::LegacyServerMessage::Ok(ok)),
            SpecVersion::V1 | SpecVersion::V2 => Self::V2(legacy::LegacyServerMessage::Ok(ok)),
            SpecVersion::V3 => Self::V3(legacy::LegacyServerMessage::Ok(ok)),
            SpecVersion::V4 => Self::V4(ServerMessage::Ok(ok)),
        }
    }

    /// `ScanningFinished` in the shape `version` expects.
    pub fn scanning_finished(version: SpecVersion) -> Self {
        let event = IdOnly { id: EVENT_ID };
        match version {
            SpecVersion::V0 => Self::V0(legacy::LegacyServerMessage::ScanningFinished(event)),
            SpecVersion::V1 | SpecVersion::V2 => {
                Self::V2(legacy::LegacyServerMessage::ScanningFinished(event))
            }
            SpecVersion::V3 => Self::V3(legacy::LegacyServerMessage::ScanningFinished(event)),
            SpecVersion::V4 => Self::V4(ServerMessage::ScanningFinished(event)),
        }
    }

    /// The v4 message inside, for in-process v4 clients.
    pub fn into_v4(self) -> Option<ServerMessage> {
        match self {
            Self::V4(message) => Some(message),
            Self::SharedDeviceList(shared) => shared.to_owned_message().into_v4(),
            _ => None,
        }
    }
}

/// A device list sent alone reuses its encoding; everything else is encoded in full.
impl crate::Outgoing for VersionedServerMessage {
    fn encode_batch<S: crate::Serializer>(
        serializer: &S,
        batch: &[Self],
    ) -> Result<crate::Frame, crate::SerializeError> {
        if let [Self::SharedDeviceList(shared)] = batch
            && let Some(frame) = shared.frame(serializer)?
        {
            return Ok(frame);
        }
        crate::Serializer::encode(serializer, batch)
    }
}

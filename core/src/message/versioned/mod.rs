//! Server messages in the shape each spec version expects, and device lists shared between
//! the replies of many sessions (encoded once per serializer and version).

use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::id::{EVENT_ID, MessageId};
use super::legacy::{self, LegacyServerMessage};
use super::v4::{ErrorMessage, IdOnly, ServerMessage};
use super::version::SpecVersion;
use crate::template::Templates;
use crate::{Frame, SerializeError};

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

/// A `DeviceList` answering request `id`, whose devices are the shared `list` (a
/// [`VersionedServerMessage`] holding a `DeviceList`, built by [`super::device_list`]).
///
/// It encodes exactly as the owned message with `id` would: same names, same fields, same
/// order, in every serializer. Sent alone in a batch, it is encoded once per serializer and
/// resent with only the Id changed ([`SharedDeviceList::frame`]).
#[derive(Debug, Clone)]
pub struct SharedDeviceList {
    /// Id of the `RequestDeviceList` answered (0 for a list sent because devices changed).
    pub id: MessageId,
    /// The device list, in the shape the session's spec version expects.
    pub list: Arc<VersionedServerMessage>,
    /// Encodings of `list`, shared with every reply made from the same `list`.
    pub templates: Arc<Templates>,
}

/// Equal when they say the same; the encodings kept are not part of the value.
impl PartialEq for SharedDeviceList {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.list == other.list
    }
}

impl SharedDeviceList {
    /// A reply to request `id` with the shared `list`; its encodings are kept in `templates`,
    /// which belongs to `list` (one per list, shared by all its replies).
    pub fn new(
        id: MessageId,
        list: Arc<VersionedServerMessage>,
        templates: Arc<Templates>,
    ) -> Self {
        Self {
            id,
            list,
            templates,
        }
    }

    /// This reply alone in a batch, from the encoding made the first time `serializer` sent
    /// this list. `None` when the serializer cannot reuse an encoding.
    pub fn frame<S: crate::Serializer>(
        &self,
        serializer: &S,
    ) -> Result<Option<Frame>, SerializeError> {
        self.templates.frame(serializer, self.id, |id| {
            vec![Self {
                id,
                list: self.list.clone(),
                templates: self.templates.clone(),
            }]
        })
    }

    /// The owned message: what an in-process client, which takes values, gets.
    pub fn to_owned_message(&self) -> VersionedServerMessage {
        let mut owned = (*self.list).clone();
        match &mut owned {
            VersionedServerMessage::V0(LegacyServerMessage::DeviceList(list)) => list.id = self.id,
            VersionedServerMessage::V2(LegacyServerMessage::DeviceList(list)) => list.id = self.id,
            VersionedServerMessage::V3(LegacyServerMessage::DeviceList(list)) => list.id = self.id,
            VersionedServerMessage::V4(ServerMessage::DeviceList(list)) => list.id = self.id,
            _ => {}
        }
        owned
    }
}

/// The body of a `DeviceList` with the Id replaced and the devices borrowed.
struct Body<'a, D: ?Sized> {
    id: MessageId,
    devices: &'a D,
}

impl<D: Serialize + ?Sized> Serialize for Body<'_, D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The field names and order of the derived `DeviceList` / `DeviceListLegacy`.
        let mut body = serializer.serialize_struct("DeviceList", 2)?;
        body.serialize_field("Id", &self.id)?;
        body.serialize_field("Devices", self.devices)?;
        body.end()
    }
}

/// v4 keys devices by their index as a string, as the derived form does.
struct IndexMap<'a, V>(&'a std::collections::BTreeMap<u32, V>);

impl<V: Serialize> Serialize for IndexMap<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::v4::index_map::serialize(self.0, serializer)
    }
}

impl Serialize for SharedDeviceList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Externally tagged, as the derived enums are: `{"DeviceList": body}`. The variant
        // index is the one the derived enums give (`Ok`, `Error`, `ServerInfo`, `DeviceList`);
        // the serializers in use write the name.
        const NAME: &str = "DeviceList";
        const INDEX: u32 = 3;
        match &*self.list {
            VersionedServerMessage::V0(LegacyServerMessage::DeviceList(list)) => serializer
                .serialize_newtype_variant(
                    "LegacyServerMessage",
                    INDEX,
                    NAME,
                    &Body {
                        id: self.id,
                        devices: &list.devices,
                    },
                ),
            VersionedServerMessage::V2(LegacyServerMessage::DeviceList(list)) => serializer
                .serialize_newtype_variant(
                    "LegacyServerMessage",
                    INDEX,
                    NAME,
                    &Body {
                        id: self.id,
                        devices: &list.devices,
                    },
                ),
            VersionedServerMessage::V3(LegacyServerMessage::DeviceList(list)) => serializer
                .serialize_newtype_variant(
                    "LegacyServerMessage",
                    INDEX,
                    NAME,
                    &Body {
                        id: self.id,
                        devices: &list.devices,
                    },
                ),
            VersionedServerMessage::V4(ServerMessage::DeviceList(list)) => serializer
                .serialize_newtype_variant(
                    "ServerMessage",
                    INDEX,
                    NAME,
                    &Body {
                        id: self.id,
                        devices: &IndexMap(&list.devices),
                    },
                ),
            // Not a device list: a construction bug, but still encoded faithfully.
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests;

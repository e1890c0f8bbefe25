//! A `DeviceList` reply whose devices are shared: built once per change of devices and spec
//! version, then sent to any number of requests with only the Id differing, never cloned.

use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::legacy::LegacyServerMessage;
use super::{MessageId, ServerMessage, VersionedServerMessage};
use crate::template::Templates;
use crate::{Frame, SerializeError};

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
mod tests {
    use super::*;
    use crate::message::{DeviceInfo, SpecVersion, device_list};

    fn devices() -> Vec<DeviceInfo> {
        use crate::message::{DeviceFeature, OutputLimits, OutputType, Range};
        use std::collections::BTreeMap;
        let device = |index: u32, name: &str, output: OutputType| DeviceInfo {
            device_index: index,
            device_name: name.to_owned(),
            device_display_name: (index == 3).then(|| "mine".to_owned()),
            device_message_timing_gap: 50,
            device_features: BTreeMap::from([(
                0,
                DeviceFeature {
                    feature_index: 0,
                    feature_description: "motor".to_owned(),
                    output: BTreeMap::from([(
                        output,
                        OutputLimits {
                            value: Range::new(0, 20),
                            duration: None,
                        },
                    )]),
                    input: BTreeMap::new(),
                },
            )]),
        };
        vec![
            device(0, "Vibrator", OutputType::Vibrate),
            device(3, "Rotator", OutputType::Rotate),
        ]
    }

    #[test]
    fn a_shared_list_encodes_exactly_as_the_owned_one_in_every_version() {
        let devices = devices();
        for version in SpecVersion::ALL {
            let shared = SharedDeviceList::new(
                7,
                Arc::new(device_list(version, 0, &devices)),
                Arc::default(),
            );
            let owned = device_list(version, 7, &devices);
            assert_eq!(
                serde_json::to_string(&[&shared]).expect("json"),
                serde_json::to_string(&[&owned]).expect("json"),
                "{version}"
            );
            assert_eq!(shared.to_owned_message(), owned, "{version}");
        }
    }
}

//! The protocol's messages as Rust types: the canonical v4 form, the wire forms of v0–v3, and
//! the conversions between them. Pure data and serde; no I/O.

mod any_client;
mod batch;
mod downgrade;
pub(crate) mod id;
mod layout;
pub mod legacy;
mod lenient;
mod upgrade;
pub mod v4;
mod version;
mod versioned;

pub use any_client::AnyClientMessage;
pub use batch::Batch;
pub use downgrade::{
    LegacyDeviceAny, device_added, device_list, device_removed, downgrade_device, reading,
    server_info,
};
pub use id::{EVENT_ID, MessageId};
pub use layout::{Actuator, LegacyLayout, Sensor, v3_actuator_type_name, v3_sensor_type_name};
pub use lenient::{InvalidMessage, Lenient, name_and_id};
pub use upgrade::{ReadingReply, Upgraded, upgrade};
pub use v4::*;
pub use version::SpecVersion;
pub use versioned::{SharedDeviceList, VersionedServerMessage};

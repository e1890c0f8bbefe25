//! plugwire-devices: everything between a Buttplug session and a device that moves.
//!
//! - [`DeviceManager`] owns the devices, checks every command against a device's features,
//!   remembers which session drove each output and stops them when that session ends; its
//!   errors are a typed [`DeviceError`].
//! - [`hardware`] is the seam hardware managers plug into (a connected device's endpoints, and
//!   something that finds devices); the managers themselves live in `hardware/*` crates.
//! - [`attach()`] turns connected hardware into a device: identify, look up the model in the
//!   [`config`] (the Buttplug device database, v5 layout, its own crate), pick the
//!   [`Protocol`](protocol::Protocol) from the [`protocols`] registry, and hand it to its
//!   [`task`] (one task per device owns its protocol). The [`catalog`] says which models of
//!   the database plugwire drives.
//! - [`simulated`] and [`recording`] devices for people without hardware and for tests.
//!
//! Depends on `plugwire-core` and `plugwire-device-config` only; nothing here knows of transports, serializers or sessions.

mod attach;
mod backend;
pub mod catalog;
mod error;
pub mod hardware;
mod manager;
pub mod protocol;
pub mod protocols;
pub mod recording;
pub mod simulated;
pub mod task;

/// The device database (the crate `plugwire-device-config`): protocols, models, matching.
pub use plugwire_device_config as config;

pub use attach::{AttachError, admit, attach};
pub use backend::{Delivery, DeviceBackend, WriteResult};
pub use error::DeviceError;
pub use manager::{
    DeviceEvent, DeviceListSnapshot, DeviceManager, Listing, OutputChange, SessionId, StopScope,
};

//! Devices: the [`DeviceManager`] that owns every device, the [`DeviceBackend`] seam a device
//! is driven through, and [`simulated`] devices that record what they are told.

mod attach;
mod backend;
#[cfg(feature = "ble")]
pub mod ble;
pub mod config;
pub mod forwarded;
pub mod hardware;
mod manager;
pub mod protocol;
pub mod recording;
pub mod scheduled;
pub mod scheduler;
pub mod simulated;

pub use attach::{AttachError, ProtocolDevice, ProtocolInputs, attach};
pub use backend::{DeviceBackend, DeviceError};
pub use manager::{DeviceEvent, DeviceManager, SessionId, StopScope};

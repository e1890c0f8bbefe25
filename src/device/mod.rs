//! Devices: the [`DeviceManager`] that owns every device, the [`DeviceBackend`] seam a device
//! is driven through, and [`simulated`] devices that record what they are told.

mod backend;
mod manager;
pub mod simulated;

pub use backend::{DeviceBackend, DeviceError};
pub use manager::{DeviceEvent, DeviceManager, SessionId, StopScope};

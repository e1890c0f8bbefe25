//! Serial-port devices (TCode strokers such as the OSR2 and SR6, and the database's other
//! serial protocols) through the `serialport` crate, built without libudev: ports are opened by
//! the names a user configuration gives, so no system package is needed.
//!
//! A port is named in a user device configuration, in Buttplug's layout: a `serial` entry in
//! `user_configs.protocols.PROTOCOL.communication` with the port and its framing (baud rate,
//! data bits, parity, stop bits). [`SerialManager`] opens each such port from the start (naming
//! it is choosing the device) and attaches it with that protocol; the port's name is the
//! device's name and address, so a model whose `identifier` is the port name (or a user device
//! entry with that address) describes it, and the protocol's defaults apply otherwise. A port
//! that is missing or busy is reported once and tried again every
//! [`SerialOptions::rescan_interval`], and at once when a client starts scanning; one that
//! vanishes while in use (unplugged, the other end of a pseudo-terminal closed) removes its
//! device, clients are told, and it is attached again when it comes back.
//!
//! ```no_run
//! # async fn run() {
//! use std::sync::Arc;
//! use plugwire_devices::DeviceManager;
//! use plugwire_devices::config::DeviceConfig;
//! use plugwire_serial::{SerialManager, SerialOptions};
//!
//! let devices = Arc::new(DeviceManager::new());
//! let mut config = DeviceConfig::builtin();
//! config.merge_user_path("user-device-config.json".as_ref()).expect("a user configuration");
//! let serial = SerialManager::start(&devices, Arc::new(config), SerialOptions::default());
//! devices.add_hardware_manager(serial);
//! # }
//! ```
//!
//! A hardware manager crate: depends on `plugwire-devices` and `plugwire-core` only, as every
//! crate under `hardware/` does.

mod error;
mod framing;
mod manager;
mod port;

use std::time::Duration;

pub use error::SerialError;
pub use manager::SerialManager;

/// Timings of serial ports.
#[derive(Debug, Clone)]
pub struct SerialOptions {
    /// How long the reader waits for bytes before checking whether the port was closed.
    pub poll_interval: Duration,
    /// Limit on one write reaching the port.
    pub write_timeout: Duration,
    /// How often ports that are not open (missing, busy, gone) are tried again.
    pub rescan_interval: Duration,
}

impl Default for SerialOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(100),
            write_timeout: Duration::from_secs(1),
            rescan_interval: Duration::from_secs(2),
        }
    }
}

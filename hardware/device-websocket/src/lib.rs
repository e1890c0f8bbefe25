//! The device WebSocket server: devices (or programs posing as one: restim, a VTube Studio
//! plugin, an OSSM bridge, hobbyist ESP32 toys) dial in over WebSocket and speak their own
//! protocol, wire-compatible with intiface-engine's `--use-device-websocket-server`.
//!
//! A device connects, sends one text frame naming itself,
//!
//! ```json
//! {"identifier":"LVSDevice","address":"8A3D9FAC2A45","version":0}
//! ```
//!
//! and from then on raw protocol bytes flow in binary frames both ways: the server's writes
//! become binary frames of the bytes alone, to whichever endpoint the protocol writes (`tx`,
//! or `txmode`, `firmware`, ...: the connection offers every endpoint the protocol's
//! configuration names, with `tx` and `rx`, and writes to all of them, as the reference does),
//! and what the device sends arrives on `rx` as notifications and answers to reads. The `identifier` is matched against the `websocket` entries of the
//! device configuration (`{"websocket": {"name": "LVSDevice"}}` in a protocol's
//! `communication`, usually from a user configuration), and the device is then identified and
//! driven by that protocol exactly as a Bluetooth one would be: a Lovense posing over
//! WebSocket is asked `DeviceType;` and driven with Lovense commands. The identifier is the
//! device's name and the address its address, for model lookup and user device entries.
//!
//! Unlike the reference, a connection that does not identify itself within
//! [`DeviceWebSocketOptions::identify_timeout`] is dropped, connections waiting to identify
//! are bounded in all ([`DeviceWebSocketOptions::max_unidentified`]) and per source address
//! ([`DeviceWebSocketOptions::max_unidentified_per_source`]), the oldest dropped to make room
//! for a newcomer, the server listens on loopback
//! unless told otherwise, and it can require an access token (the URL's path or
//! `?token=TOKEN`, as the other WebSocket listeners take it). Every connection is pinged every
//! [`DeviceWebSocketOptions::ping_interval`]; one that sends nothing (not even the pong)
//! within [`DeviceWebSocketOptions::pong_timeout`] of a ping is gone, and its device removed.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use plugwire_devices::DeviceManager;
//! use plugwire_devices::config::DeviceConfig;
//! use plugwire_device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
//!
//! let devices = Arc::new(DeviceManager::new());
//! let mut config = DeviceConfig::builtin();
//! config.merge_user_path("user-device-config.json".as_ref())?;
//! let server =
//!     DeviceWebSocketServer::bind(&devices, Arc::new(config), DeviceWebSocketOptions::default())
//!         .await?;
//! println!("devices dial ws://{}", server.local_addr());
//! devices.add_hardware_manager(server);
//! # Ok(()) }
//! ```
//!
//! A hardware manager crate: depends on `plugwire-devices` and `plugwire-core` only.

mod connection;
mod error;
mod hardware;
mod identification;
mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

pub use error::DeviceWebSocketError;
pub use identification::Identification;
use plugwire_core::access::AccessToken;
pub use server::DeviceWebSocketServer;

/// The port intiface-engine's device WebSocket server listens on.
pub const DEFAULT_PORT: u16 = 54817;

/// Connections that may be waiting to identify at once, by default.
pub const DEFAULT_MAX_UNIDENTIFIED: usize = 64;

/// Connections from one IP address that may be waiting to identify at once, by default.
pub const DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE: usize = 8;

/// Where the server listens and how it treats connections.
#[derive(Debug, Clone)]
pub struct DeviceWebSocketOptions {
    /// Where to listen: `127.0.0.1:54817` by default.
    pub address: SocketAddr,
    /// The secret a connection must present (URL path or `?token=`); none by default. Give
    /// one whenever the address reaches beyond loopback.
    pub access_token: Option<AccessToken>,
    /// How long a connection has to upgrade and send its identification frame: 10 s by
    /// default.
    pub identify_timeout: Duration,
    /// Most connections waiting to identify at once (upgrading, or upgraded and not yet sent
    /// their identification frame): [`DEFAULT_MAX_UNIDENTIFIED`] by default. A newcomer past
    /// it pushes out the oldest one, so idle sockets cannot keep a prompt device out.
    /// Identified devices are not counted. At least 1.
    pub max_unidentified: usize,
    /// Most of those from one IP address: [`DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE`] by
    /// default. A newcomer past it pushes out that address's oldest. At least 1.
    pub max_unidentified_per_source: usize,
    /// How often each device is pinged: 10 s by default.
    pub ping_interval: Duration,
    /// How long after a ping a device may stay silent (no pong, no frame) before it is gone:
    /// 10 s by default.
    pub pong_timeout: Duration,
    /// Limit on one frame reaching the device's socket: 2 s by default.
    pub write_timeout: Duration,
    /// Largest frame accepted from a device: 64 KiB by default.
    pub max_frame_size: usize,
}

impl Default for DeviceWebSocketOptions {
    fn default() -> Self {
        Self {
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            access_token: None,
            identify_timeout: Duration::from_secs(10),
            max_unidentified: DEFAULT_MAX_UNIDENTIFIED,
            max_unidentified_per_source: DEFAULT_MAX_UNIDENTIFIED_PER_SOURCE,
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(2),
            max_frame_size: 64 * 1024,
        }
    }
}

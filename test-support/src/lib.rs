//! plugwire-test-support: the helpers and fakes plugwire's tests share, each written once.
//!
//! - `bluez` (Linux only): a simulated BlueZ on a private D-Bus daemon, serving peripherals
//!   described as data to btleplug, so the Bluetooth LE path runs unchanged in tests.
//! - [`device_cases`]: the runner for Buttplug's device-test-case files (YAML), which plays
//!   them against plugwire's protocols.
//! - [`fake_lovense`]: a fake Lovense that dials the device WebSocket server.
//! - `pty` (Unix only): a pseudo-terminal pair standing in for a serial port, and a TCode
//!   user configuration naming it.
//! - [`tls`]: certificates for loopback TLS: a self-signed identity, a CA and a leaf it issued.
//!
//! Only tests, examples and benches depend on this crate (as a dev-dependency), never a
//! library crate: its YAML parser and fakes stay out of what users build.

#[cfg(target_os = "linux")]
pub mod bluez;
pub mod device_cases;
pub mod fake_lovense;
#[cfg(unix)]
pub mod pty;
pub mod tls;

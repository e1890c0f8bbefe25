//! Why a case did not pass: the first difference found, with where it was found.

use std::time::Duration;

use plugwire_core::ErrorReply;
use plugwire_core::message::SpecVersion;
use plugwire_devices::AttachError;
use plugwire_devices::config::ConfigError;
use plugwire_devices::hardware::UnknownEndpoint;

/// How long a device may take to be identified and listed (Lovense asks six times, 500 ms
/// each, before it falls back to the name).
pub(super) const ATTACH_WAIT: Duration = Duration::from_secs(5);

/// Why a case did not pass: the first difference.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseFailure {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is not a test case.
    #[error("not a device test case: {0}")]
    Malformed(#[source] serde_norway::Error),
    /// Its configuration file could not be used.
    #[error("its configuration: {0}")]
    Config(#[source] ConfigError),
    /// An endpoint name the database does not know.
    #[error(transparent)]
    Endpoint(#[from] UnknownEndpoint),
    /// No protocol of the database claims the device.
    #[error("no protocol claims a device named {0:?}")]
    Unclaimed(String),
    /// The device could not be attached.
    #[error("{0}")]
    Attach(#[source] AttachError),
    /// The device was not listed in time.
    #[error("the device was not identified and listed within {ATTACH_WAIT:?}")]
    NotListed,
    /// It was listed under another name.
    #[error("listed as {got:?}, expected {expected:?}")]
    Name {
        /// What the case expects.
        expected: String,
        /// What plugwire listed.
        got: String,
    },
    /// A command the case expects did not arrive.
    #[error("at spec {version}, {step}: expected {expected}, got nothing")]
    Missing {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What was expected.
        expected: String,
    },
    /// Another command arrived.
    #[error("at spec {version}, {step}: expected {expected}, got {got}")]
    Different {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What was expected.
        expected: String,
        /// What arrived.
        got: String,
    },
    /// A message was refused.
    #[error("at spec {version}, {step}: the message was refused: {error}")]
    Refused {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What the server answered.
        error: ErrorReply,
    },
    /// A message the runner cannot build for this client version.
    #[error("at spec {version}, {step}: {what}")]
    Unsupported {
        /// The client's spec version.
        version: SpecVersion,
        /// Where in the case.
        step: String,
        /// What cannot be built.
        what: String,
    },
    /// The Bluetooth stack (over the simulated BlueZ) failed.
    #[error("Bluetooth LE: {0}")]
    Bluetooth(String),
    /// A battery read gave another level.
    #[error("at spec {version}: the battery read {got:?}, expected {expected}")]
    Battery {
        /// The client's spec version.
        version: SpecVersion,
        /// The fraction expected.
        expected: f64,
        /// What the read gave.
        got: Result<f64, String>,
    },
}

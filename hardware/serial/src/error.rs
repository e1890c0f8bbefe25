//! Why a serial port could not be used.

/// A configured serial port could not be opened. The manager reports it once and tries again
/// at its next scan: a port that is missing now may be plugged in later.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SerialError {
    /// The configuration's framing is not one a serial port has.
    #[error(
        "serial port {port}: {setting} {value:?} is not a serial framing (expected {expected})"
    )]
    Framing {
        /// The port.
        port: String,
        /// Which setting (`data_bits`, `parity`, `stop_bits`).
        setting: &'static str,
        /// What the configuration says.
        value: String,
        /// What it may say.
        expected: &'static str,
    },
    /// The operating system would not open or set up the port (missing, busy, no permission).
    #[error("serial port {port} could not be opened")]
    Open {
        /// The port.
        port: String,
        /// What the system said.
        #[source]
        source: serialport::Error,
    },
    /// The threads that carry the port's bytes could not be started.
    #[error("serial port {port}: could not start its I/O thread")]
    Thread {
        /// The port.
        port: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

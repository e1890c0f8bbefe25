//! The names of a device's endpoints, as the database spells them.

use std::fmt;
use std::str::FromStr;

/// A named endpoint of a device (a BLE characteristic, in the device configuration's terms):
/// every name the Buttplug device database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Endpoint {
    Command,
    Firmware,
    Rx,
    RxAccel,
    RxBleBattery,
    RxBleModel,
    RxPressure,
    RxTouch,
    Tx,
    TxMode,
    TxShock,
    TxVibrate,
    TxVendorControl,
    Whitelist,
    /// `generic0` to `generic31`.
    Generic(u8),
}

/// The named endpoints and their configuration names (the generic ones are numbered).
const NAMED: [(Endpoint, &str); 14] = [
    (Endpoint::Command, "command"),
    (Endpoint::Firmware, "firmware"),
    (Endpoint::Rx, "rx"),
    (Endpoint::RxAccel, "rxaccel"),
    (Endpoint::RxBleBattery, "rxblebattery"),
    (Endpoint::RxBleModel, "rxblemodel"),
    (Endpoint::RxPressure, "rxpressure"),
    (Endpoint::RxTouch, "rxtouch"),
    (Endpoint::Tx, "tx"),
    (Endpoint::TxMode, "txmode"),
    (Endpoint::TxShock, "txshock"),
    (Endpoint::TxVibrate, "txvibrate"),
    (Endpoint::TxVendorControl, "txvendorcontrol"),
    (Endpoint::Whitelist, "whitelist"),
];

/// Highest `genericN` endpoint.
const MAX_GENERIC: u8 = 31;

/// An endpoint name that is not one of [`Endpoint`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown endpoint {0:?}")]
pub struct UnknownEndpoint(pub String);

impl FromStr for Endpoint {
    type Err = UnknownEndpoint;
    fn from_str(name: &str) -> Result<Self, UnknownEndpoint> {
        if let Some((endpoint, _)) = NAMED.iter().find(|(_, n)| *n == name) {
            return Ok(*endpoint);
        }
        name.strip_prefix("generic")
            .filter(|n| !n.starts_with('0') || *n == "0")
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| *n <= MAX_GENERIC)
            .map(Endpoint::Generic)
            .ok_or_else(|| UnknownEndpoint(name.to_owned()))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generic(n) => write!(f, "generic{n}"),
            named => {
                let name = NAMED
                    .iter()
                    .find(|(e, _)| e == named)
                    .map_or("?", |(_, n)| n);
                f.write_str(name)
            }
        }
    }
}

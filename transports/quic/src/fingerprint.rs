//! `Fingerprint`: the SHA-256 of a certificate, for pinning.

use std::fmt;
use std::str::FromStr;

/// SHA-256 of a DER certificate, written `sha256:` and 64 hex digits (colons allowed).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(der: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(digest.as_ref());
        Self(bytes)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sha256:")?;
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Fingerprint {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let hex = text
            .strip_prefix("sha256:")
            .or_else(|| text.strip_prefix("SHA256:"))
            .ok_or_else(|| format!("fingerprint {text:?} must start with sha256:"))?;
        let digits: Vec<u8> = hex.bytes().filter(|b| *b != b':').collect();
        if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(format!("fingerprint {text:?} must have 64 hex digits"));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair)
                .map_err(|_| format!("fingerprint {text:?} is not hex"))?;
            *byte = u8::from_str_radix(pair, 16)
                .map_err(|_| format!("fingerprint {text:?} is not hex"))?;
        }
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_or_without_colons() {
        let fingerprint = Fingerprint::of(b"certificate bytes");
        let text = fingerprint.to_string();
        assert!(text.starts_with("sha256:") && text.len() == 7 + 64);
        assert_eq!(text.parse::<Fingerprint>(), Ok(fingerprint));
        let with_colons = format!(
            "sha256:{}",
            fingerprint
                .0
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":")
        );
        assert_eq!(with_colons.parse::<Fingerprint>(), Ok(fingerprint));
        assert!("sha256:abcd".parse::<Fingerprint>().is_err());
        assert!("md5:00".parse::<Fingerprint>().is_err());
        assert!(
            format!("sha256:{}", "zz".repeat(32))
                .parse::<Fingerprint>()
                .is_err()
        );
    }
}

//! plugwire-tls: who may connect, shared by the network transports: the certificates a listener
//! presents and how a dialler trusts them (QUIC always, WebSocket for `wss://`), and the access
//! token a listener beyond loopback requires.
//!
//! - [`ServerIdentity`]: a certificate chain and key, given as PEM files (from mkcert, a CA,
//!   Let's Encrypt) or generated on first use and kept, so its [`Fingerprint`] stays the same.
//! - [`ServerTrust`]: how a dialler accepts the listener: a pinned SHA-256 [`Fingerprint`], a CA
//!   file, the system's roots, or, only when asked for by name, anything.
//!
//! - [`AccessToken`] (defined in `plugwire-core`): a secret every connection presents before any
//!   Buttplug message is read; [`generate_access_token`] makes a random one.
//!
//! rustls with the ring provider only: a build that also links another provider never has to
//! guess which one to use.

mod fingerprint;
mod identity;
mod private;
mod trust;

use std::sync::Arc;

use plugwire_core::TransportError;

pub use fingerprint::{Fingerprint, InvalidFingerprint};
pub use identity::ServerIdentity;
use plugwire_core::access::AccessToken;
pub use private::{private_dir, readable_by_others, write_private};
pub use trust::ServerTrust;

/// The names a generated certificate is made for, listening on `host`: loopback, and `host`
/// itself unless it is every interface (`0.0.0.0`, `::`).
pub fn certificate_names(host: &str) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let unspecified = matches!(host, "0.0.0.0" | "::" | "[::]");
    if !unspecified && !names.iter().any(|n| n == host) {
        names.push(host.to_owned());
    }
    names
}

/// The TLS versions a connection may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersions {
    /// TLS 1.3 only (QUIC requires it).
    Tls13,
    /// TLS 1.2 or 1.3 (what browsers and the published clients speak over `wss://`).
    Tls12And13,
}

/// TLS 1.3 alone.
static TLS13_ONLY: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];

impl TlsVersions {
    fn list(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        match self {
            Self::Tls13 => TLS13_ONLY,
            Self::Tls12And13 => rustls::DEFAULT_VERSIONS,
        }
    }
}

/// The crypto provider every config here uses: ring, explicitly.
fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The TLS configuration a listener presenting `identity` uses, offering `alpn`.
pub fn server_config(
    identity: &ServerIdentity,
    versions: TlsVersions,
    alpn: &[&[u8]],
) -> Result<rustls::ServerConfig, TransportError> {
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(versions.list())
        .map_err(|e| TransportError::Config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(identity.chain(), identity.key())
        .map_err(|e| TransportError::Config(format!("certificate: {e}")))?;
    config.alpn_protocols = alpn.iter().map(|name| name.to_vec()).collect();
    Ok(config)
}

/// A fresh random access token (128 bits from the system's secure random source, as hex).
pub fn generate_access_token() -> Result<AccessToken, std::io::Error> {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| std::io::Error::other("the system's random source failed"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    AccessToken::new(&hex).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_random_hex_that_fits() {
        let (a, b) = (
            generate_access_token().expect("random"),
            generate_access_token().expect("random"),
        );
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}

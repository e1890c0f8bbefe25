//! `ServerTrust`: how the dialling side decides the listening side is the right one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use plugwire_core::TransportError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::{Fingerprint, TlsVersions, crypto_provider};

/// How a dialler trusts the certificate the listener presents.
#[derive(Debug, Clone)]
pub enum ServerTrust {
    /// Accept exactly the certificate with this SHA-256 fingerprint (self-signed is fine; the
    /// name and dates are not checked: the pin is the trust).
    Pinned(Fingerprint),
    /// Accept certificates issued by the CAs in this PEM file, for the name dialled.
    CaFile(PathBuf),
    /// Accept certificates the operating system's trusted roots issued, for the name dialled
    /// (what a browser does).
    SystemRoots,
    /// Accept any certificate. Anyone on the path can impersonate the server: for tests and
    /// throwaway set-ups only.
    DangerousAcceptAnyCertificate,
}

impl ServerTrust {
    /// The TLS configuration of a dialler trusting this way, offering `alpn`.
    pub fn client_config(
        &self,
        versions: TlsVersions,
        alpn: &[&[u8]],
    ) -> Result<rustls::ClientConfig, TransportError> {
        let provider = crypto_provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions.list())
            .map_err(|e| TransportError::Config(format!("TLS: {e}")))?;
        let mut config = match self {
            Self::Pinned(fingerprint) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(CertificateCheck {
                    pin: Some(*fingerprint),
                    provider,
                }))
                .with_no_client_auth(),
            Self::DangerousAcceptAnyCertificate => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(CertificateCheck {
                    pin: None,
                    provider,
                }))
                .with_no_client_auth(),
            Self::CaFile(path) => builder
                .with_root_certificates(ca_file_roots(path)?)
                .with_no_client_auth(),
            Self::SystemRoots => builder
                .with_root_certificates(system_roots()?)
                .with_no_client_auth(),
        };
        config.alpn_protocols = alpn.iter().map(|name| name.to_vec()).collect();
        Ok(config)
    }
}

/// The CA certificates in a PEM file; an empty file is an error, not a trust in nothing.
fn ca_file_roots(path: &Path) -> Result<rustls::RootCertStore, TransportError> {
    let in_file =
        |e: &dyn std::fmt::Display| TransportError::Config(format!("{}: {e}", path.display()));
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(path).map_err(|e| in_file(&e))? {
        let certificate = certificate.map_err(|e| in_file(&e))?;
        roots.add(certificate).map_err(|e| in_file(&e))?;
    }
    if roots.is_empty() {
        return Err(in_file(&"no CA certificate in the file"));
    }
    Ok(roots)
}

/// The operating system's trusted roots. Certificates it cannot parse are skipped (one bad
/// entry in a system store must not refuse every server); none at all is an error.
fn system_roots() -> Result<rustls::RootCertStore, TransportError> {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::debug!(%error, "skipped part of the system certificate store");
    }
    let mut roots = rustls::RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::debug!(ignored, "system root certificates rustls cannot use");
    }
    if added == 0 {
        return Err(TransportError::Config(
            "no trusted root certificates found on this system; give ca=PATH or fingerprint=sha256:...".into(),
        ));
    }
    Ok(roots)
}

/// Trusts one certificate by fingerprint, or (with no pin: the dangerous mode) any
/// certificate. Either way the handshake signatures are checked, so the peer must hold the
/// key of the certificate it presents.
#[derive(Debug)]
struct CertificateCheck {
    pin: Option<Fingerprint>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for CertificateCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(pinned) = self.pin else {
            return Ok(ServerCertVerified::assertion());
        };
        let presented = Fingerprint::of(end_entity.as_ref());
        if presented == pinned {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "certificate fingerprint {presented} is not the pinned {pinned}"
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

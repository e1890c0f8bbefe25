//! `ServerIdentity`: the certificate and key the listening side presents.

use std::path::{Path, PathBuf};

use plugwire_core::TransportError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tracing::info;

use crate::Fingerprint;
use crate::private::{private_dir, readable_by_others, write_private};

/// A certificate chain and its private key.
#[derive(Debug)]
pub struct ServerIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for ServerIdentity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

fn config_error(path: &Path, what: impl std::fmt::Display) -> TransportError {
    TransportError::Config(format!("{}: {what}", path.display()))
}

impl ServerIdentity {
    /// A fresh self-signed certificate for `names` (host names or IP addresses).
    pub fn generate(names: &[String]) -> Result<Self, TransportError> {
        Ok(Self::generate_with_pem(names)?.0)
    }

    /// A fresh identity, with its certificate and key as PEM text.
    fn generate_with_pem(names: &[String]) -> Result<(Self, String, String), TransportError> {
        let certified = rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| {
            TransportError::Config(format!("could not generate a certificate: {e}"))
        })?;
        let key = PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .map_err(|e| TransportError::Config(format!("generated key: {e}")))?;
        let identity = Self {
            chain: vec![certified.cert.der().clone()],
            key,
        };
        Ok((
            identity,
            certified.cert.pem(),
            certified.signing_key.serialize_pem(),
        ))
    }

    /// Loads a PEM certificate chain and a PEM private key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TransportError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| config_error(cert, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| config_error(cert, e))?;
        if chain.is_empty() {
            return Err(config_error(cert, "no certificate in the file"));
        }
        if readable_by_others(key) {
            tracing::warn!(key = %key.display(), "the private key is readable by other users; chmod 600 it");
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| config_error(key, e))?;
        Ok(Self { chain, key })
    }

    /// Loads the identity kept in `dir` under `stem` (`quic`, `wss`), or generates one for
    /// `names` and keeps it there (the key file readable by this user only), so the fingerprint
    /// clients pin stays the same across restarts.
    pub fn load_or_generate(
        dir: &Path,
        stem: &str,
        names: &[String],
    ) -> Result<Self, TransportError> {
        let (cert, key) = Self::files_in(dir, stem);
        if cert.exists() && key.exists() {
            return Self::from_pem_files(&cert, &key);
        }
        private_dir(dir).map_err(|e| config_error(dir, e))?;
        let (identity, cert_pem, key_pem) = Self::generate_with_pem(names)?;
        write_private(&key, key_pem.as_bytes()).map_err(|e| config_error(&key, e))?;
        write_private(&cert, cert_pem.as_bytes()).map_err(|e| config_error(&cert, e))?;
        info!(cert = %cert.display(), fingerprint = %identity.fingerprint(), "generated a certificate");
        Ok(identity)
    }

    /// The fingerprint clients pin: the SHA-256 of the leaf certificate.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(self.chain.first().map(|c| c.as_ref()).unwrap_or_default())
    }

    pub(crate) fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.clone()
    }

    pub(crate) fn key(&self) -> PrivateKeyDer<'static> {
        self.key.clone_key()
    }

    /// Where [`Self::load_or_generate`] keeps the files of `stem` in `dir`: (certificate,
    /// key).
    pub fn files_in(dir: &Path, stem: &str) -> (PathBuf, PathBuf) {
        (
            dir.join(format!("{stem}-cert.pem")),
            dir.join(format!("{stem}-key.pem")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_is_kept_and_loaded_back_unchanged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = ServerIdentity::load_or_generate(dir.path(), "quic", &["localhost".to_owned()])
            .expect("generate");
        let second =
            ServerIdentity::load_or_generate(dir.path(), "quic", &["localhost".to_owned()])
                .expect("load");
        assert_eq!(first.fingerprint(), second.fingerprint());
        assert_eq!(first.key().secret_der(), second.key().secret_der());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let (_, key) = ServerIdentity::files_in(dir.path(), "quic");
            let mode = std::fs::metadata(key)
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_bad_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not pem").expect("write");
        let error =
            ServerIdentity::from_pem_files(&cert, &dir.path().join("key.pem")).expect_err("bad");
        assert!(error.to_string().contains("cert.pem"), "{error}");
    }
}

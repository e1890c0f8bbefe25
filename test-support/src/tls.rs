//! Certificates for TLS over loopback (QUIC, `wss://`): a self-signed identity to pin, a small
//! CA and a leaf it issued to trust through a CA file, and the error text a refusal is read in.

use std::path::{Path, PathBuf};

use plugwire_tls::ServerIdentity;

/// A freshly generated self-signed identity for `localhost` and `127.0.0.1`, to be pinned by
/// its fingerprint.
pub fn loopback_identity() -> ServerIdentity {
    ServerIdentity::generate(&["localhost".to_owned(), "127.0.0.1".to_owned()]).expect("identity")
}

/// A CA and a leaf for `localhost` (only) it issued, written as PEM files in `dir`
/// (`ca.pem`, `leaf.pem`, `leaf.key`): the CA file, and the leaf as a server identity.
pub fn ca_issued(dir: &Path) -> (PathBuf, ServerIdentity) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write");
    std::fs::write(dir.join("leaf.pem"), leaf.pem()).expect("write");
    std::fs::write(dir.join("leaf.key"), leaf_key.serialize_pem()).expect("write");
    let identity =
        ServerIdentity::from_pem_files(&dir.join("leaf.pem"), &dir.join("leaf.key")).expect("load");
    (ca_file, identity)
}

/// Every message in an error's source chain, one per line: a refused handshake names its
/// reason (a wrong pin, another name, an unknown issuer) only deep in the chain.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut source = Some(error);
    while let Some(e) = source {
        text.push_str(&e.to_string());
        text.push('\n');
        source = e.source();
    }
    text
}

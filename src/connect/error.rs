//! Why a URL could not become a connection.

use plugwire_core::TransportError;

#[cfg(any(feature = "websocket", feature = "ipc", feature = "quic"))]
use super::url::SerializerKind;
use super::url::UrlError;

/// Why a URL could not be turned into a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL itself is wrong.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The URL names a transport or serializer this build of plugwire leaves out.
    #[error("{what} is not built into this plugwire (cargo feature `{feature}`)")]
    NotBuiltIn {
        /// What the URL asked for (`quic://`, `format=msgpack`).
        what: &'static str,
        /// The cargo feature that brings it.
        feature: &'static str,
    },
    /// The transport could not be set up (bind failed, bad certificate file, ...).
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl ConnectError {
    /// The error for asking for serializer `kind` in a build without it.
    #[cfg(any(feature = "websocket", feature = "ipc", feature = "quic"))]
    pub(crate) fn serializer_not_built_in(kind: SerializerKind) -> Self {
        Self::NotBuiltIn {
            what: match kind {
                SerializerKind::Json => "format=json",
                SerializerKind::Msgpack => "format=msgpack",
            },
            feature: kind.name(),
        }
    }
}

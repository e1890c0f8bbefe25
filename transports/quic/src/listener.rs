//! `QuicListener`: the accepting role.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::framing::LengthDelimited;
use plugwire_core::{Listener, TransportError};
use quinn::Endpoint;
use quinn::crypto::rustls::QuicServerConfig;

use plugwire_tls::TlsVersions;

use tracing::warn;

use crate::{
    ALPN, Fingerprint, PREAMBLE, PREAMBLE_WITH_TOKEN, QuicOptions, QuicStream, QuicTransport,
    ServerIdentity,
};

/// Accepts QUIC connections, one session each.
#[derive(Debug)]
pub struct QuicListener {
    endpoint: Endpoint,
    local_addr: SocketAddr,
    fingerprint: Fingerprint,
    options: QuicOptions,
}

impl QuicListener {
    /// Binds `addr` (port 0 for any free port) and presents `identity`.
    pub fn bind(
        addr: SocketAddr,
        identity: &ServerIdentity,
        options: QuicOptions,
    ) -> Result<Self, TransportError> {
        let tls = plugwire_tls::server_config(identity, TlsVersions::Tls13, &[ALPN])?;
        let crypto = QuicServerConfig::try_from(tls)
            .map_err(|e| TransportError::Config(format!("QUIC TLS: {e}")))?;
        let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
        config.transport_config(Arc::new(options.transport_config()?));
        let endpoint = Endpoint::server(config, addr).map_err(|e| TransportError::Connect {
            peer: addr.to_string(),
            source: e.into(),
        })?;
        let local_addr = endpoint.local_addr().map_err(TransportError::io)?;
        Ok(Self {
            endpoint,
            local_addr,
            fingerprint: identity.fingerprint(),
            options,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The fingerprint diallers pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }
}

/// Application close codes: the stream was not plugwire's; the access token was wrong or
/// missing.
const NOT_PLUGWIRE: u32 = 1;
const WRONG_TOKEN: u32 = 2;

/// Completes an accepted connection: the QUIC handshake, then the session stream and its
/// preamble, all within the handshake timeout.
async fn complete(
    incoming: quinn::Incoming,
    options: QuicOptions,
) -> Result<QuicTransport, TransportError> {
    let peer = incoming.remote_address().to_string();
    let handshake = async {
        let connection = incoming.await.map_err(TransportError::io)?;
        let (send, mut recv) = connection.accept_bi().await.map_err(TransportError::io)?;
        let mut preamble = [0u8; 4];
        recv.read_exact(&mut preamble)
            .await
            .map_err(TransportError::io)?;
        let presented = if &preamble == PREAMBLE {
            None
        } else if &preamble == PREAMBLE_WITH_TOKEN {
            let mut length = [0u8; 1];
            recv.read_exact(&mut length)
                .await
                .map_err(TransportError::io)?;
            let mut token = vec![0u8; usize::from(length[0])];
            recv.read_exact(&mut token)
                .await
                .map_err(TransportError::io)?;
            Some(token)
        } else {
            connection.close(NOT_PLUGWIRE.into(), b"not a plugwire stream");
            return Err(TransportError::InvalidFrame(
                "the stream did not start with the plugwire preamble".into(),
            ));
        };
        if let Some(required) = &options.access_token
            && !presented.is_some_and(|token| required.matches(&token))
        {
            warn!(%peer, "refused a QUIC connection without the access token");
            connection.close(WRONG_TOKEN.into(), b"wrong or missing access token");
            return Err(TransportError::Connect {
                peer: peer.clone(),
                source: "wrong or missing access token".into(),
            });
        }
        Ok(LengthDelimited::new(
            QuicStream::new(send, recv, connection, None),
            options.max_frame,
        ))
    };
    tokio::time::timeout(options.handshake_timeout, handshake)
        .await
        .map_err(|_| TransportError::Connect {
            peer,
            source: "QUIC handshake timed out".into(),
        })?
}

impl Listener for QuicListener {
    type Transport = QuicTransport;
    type Pending = BoxFuture<'static, Result<QuicTransport, TransportError>>;

    async fn accept(&self) -> Result<(Self::Pending, String), TransportError> {
        let incoming = self.endpoint.accept().await.ok_or(TransportError::Closed)?;
        let peer = format!("quic {}", incoming.remote_address());
        Ok((complete(incoming, self.options.clone()).boxed(), peer))
    }

    /// The URL diallers use: the fingerprint to pin, and the access token when one is
    /// required.
    fn describe(&self) -> String {
        let mut url = format!(
            "quic://{}?fingerprint={}",
            self.local_addr, self.fingerprint
        );
        if let Some(token) = &self.options.access_token {
            url.push_str("&token=");
            url.push_str(token.as_str());
        }
        url
    }
}

//! `QuicDialer`: the dialling role.

use std::net::SocketAddr;
use std::sync::Arc;

use plugwire_core::framing::LengthDelimited;
use plugwire_core::{Establish, TransportError};
use quinn::Endpoint;
use quinn::crypto::rustls::QuicClientConfig;

use plugwire_core::access::AccessToken;
use plugwire_tls::TlsVersions;

use crate::{
    ALPN, PREAMBLE, PREAMBLE_WITH_TOKEN, QuicOptions, QuicStream, QuicTransport, ServerTrust,
};

/// Dials a QUIC listener; each `establish` opens a fresh connection.
#[derive(Debug, Clone)]
pub struct QuicDialer {
    host: String,
    port: u16,
    server_name: String,
    trust: ServerTrust,
    options: QuicOptions,
}

impl QuicDialer {
    /// A dialer for `host:port`, checking the listener's certificate with `trust`. The name
    /// checked against a CA-issued certificate is `host`.
    pub fn new(host: &str, port: u16, trust: ServerTrust, options: QuicOptions) -> Self {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        Self {
            server_name: host.clone(),
            host,
            port,
            trust,
            options,
        }
    }

    fn target(&self) -> String {
        if self.host.contains(':') {
            format!("quic://[{}]:{}", self.host, self.port)
        } else {
            format!("quic://{}:{}", self.host, self.port)
        }
    }
}

impl QuicDialer {
    /// One connection attempt to one address: QUIC handshake, then the session stream.
    async fn connect_to(
        &self,
        address: SocketAddr,
        config: quinn::ClientConfig,
    ) -> Result<QuicStream, TransportError> {
        let connect_error =
            |source: Box<dyn std::error::Error + Send + Sync>| TransportError::Connect {
                peer: format!("{} ({address})", self.target()),
                source,
            };
        let local: SocketAddr = if address.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let mut endpoint = Endpoint::client(local).map_err(|e| connect_error(e.into()))?;
        endpoint.set_default_client_config(config);
        let connection = endpoint
            .connect(address, &self.server_name)
            .map_err(|e| connect_error(e.into()))?
            .await
            .map_err(|e| connect_error(e.into()))?;
        let (mut send, recv) = connection
            .open_bi()
            .await
            .map_err(|e| connect_error(e.into()))?;
        // The peer only learns of a stream once something is written on it.
        send.write_all(&preamble(self.options.access_token.as_ref()))
            .await
            .map_err(|e| connect_error(e.into()))?;
        Ok(QuicStream::new(send, recv, connection, Some(endpoint)))
    }
}

impl Establish for QuicDialer {
    type Transport = QuicTransport;

    async fn establish(&mut self) -> Result<QuicTransport, TransportError> {
        let target = self.target();
        let connect_error =
            |source: Box<dyn std::error::Error + Send + Sync>| TransportError::Connect {
                peer: target.clone(),
                source,
            };
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), self.port))
            .await
            .map_err(|e| connect_error(e.into()))?
            .collect();
        let tls = self.trust.client_config(TlsVersions::Tls13, &[ALPN])?;
        let crypto = QuicClientConfig::try_from(tls)
            .map_err(|e| TransportError::Config(format!("QUIC TLS: {e}")))?;
        let mut config = quinn::ClientConfig::new(Arc::new(crypto));
        config.transport_config(Arc::new(self.options.transport_config()?));
        // A name may resolve to several addresses (localhost: ::1 and 127.0.0.1); try each in
        // turn within the one handshake timeout, and report the last failure.
        let attempts = async {
            let mut last_error = connect_error("the host name resolved to no address".into());
            for address in addresses {
                match self.connect_to(address, config.clone()).await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => last_error = error,
                }
            }
            Err(last_error)
        };
        let stream = tokio::time::timeout(self.options.handshake_timeout, attempts)
            .await
            .map_err(|_| connect_error("QUIC handshake timed out".into()))??;
        Ok(LengthDelimited::new(stream, self.options.max_frame))
    }

    fn describe(&self) -> String {
        self.target()
    }
}

/// What the dialling side writes first: the plain preamble, or the one carrying its token.
fn preamble(token: Option<&AccessToken>) -> Vec<u8> {
    match token {
        None => PREAMBLE.to_vec(),
        Some(token) => {
            let token = token.as_str().as_bytes();
            let mut preamble = PREAMBLE_WITH_TOKEN.to_vec();
            // A token is at most 128 bytes, so its length fits the byte.
            preamble.push(u8::try_from(token.len()).unwrap_or(u8::MAX));
            preamble.extend_from_slice(token);
            preamble
        }
    }
}

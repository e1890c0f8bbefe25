//! `WebSocketDialer`: the dialling role — connects to a `ws://` URL.

use std::sync::Arc;

use plugwire_core::{Establish, TransportError};
use plugwire_tls::{ServerTrust, TlsVersions};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::stream::MaybeTls;
use crate::{WebSocketOptions, WebSocketTransport};

/// Dials a WebSocket server; each `establish` opens a fresh connection.
#[derive(Debug, Clone)]
pub struct WebSocketDialer {
    url: String,
    host: String,
    port: u16,
    /// How the server's certificate is trusted, for `wss://`.
    trust: Option<ServerTrust>,
    options: WebSocketOptions,
}

impl WebSocketDialer {
    /// A dialer for `url` (`ws://host:port[/path]`, or `wss://`, trusting the system's roots
    /// until [`Self::trusting`] says otherwise).
    pub fn new(url: &str, options: WebSocketOptions) -> Result<Self, TransportError> {
        let request = url
            .into_client_request()
            .map_err(|e| TransportError::Config(format!("{url}: {e}")))?;
        let uri = request.uri();
        let (trust, default_port) = match uri.scheme_str() {
            Some("ws") => (None, 80),
            Some("wss") => (Some(ServerTrust::SystemRoots), 443),
            _ => {
                return Err(TransportError::Config(format!(
                    "{url}: not a ws:// or wss:// URL"
                )));
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| TransportError::Config(format!("{url}: no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(default_port);
        Ok(Self {
            url: url.to_owned(),
            host,
            port,
            trust,
            options,
        })
    }

    /// Trusts the server's certificate this way instead (`wss://` only).
    pub fn trusting(mut self, trust: ServerTrust) -> Result<Self, TransportError> {
        if self.trust.is_none() {
            return Err(TransportError::Config(format!(
                "{}: certificate trust is for wss:// URLs",
                self.url
            )));
        }
        self.trust = Some(trust);
        Ok(self)
    }

    /// The URL dialled.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Establish for WebSocketDialer {
    type Transport = WebSocketTransport;

    async fn establish(&mut self) -> Result<WebSocketTransport, TransportError> {
        let connect_error = |e: Box<dyn std::error::Error + Send + Sync>| TransportError::Connect {
            peer: plugwire_core::access::redacted(&self.url),
            source: e,
        };
        let tls = match &self.trust {
            Some(trust) => Some(Arc::new(trust.client_config(TlsVersions::Tls12And13, &[])?)),
            None => None,
        };
        let handshake = async {
            let stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| connect_error(e.into()))?;
            crate::options::tune_tcp(&stream).map_err(|e| connect_error(e.into()))?;
            let stream = match tls {
                None => MaybeTls::Plain(stream),
                Some(config) => {
                    let name = ServerName::try_from(self.host.clone())
                        .map_err(|e| connect_error(e.into()))?;
                    let stream = tokio_rustls::TlsConnector::from(config)
                        .connect(name, stream)
                        .await
                        .map_err(|e| connect_error(e.into()))?;
                    MaybeTls::Tls(Box::new(stream.into()))
                }
            };
            let (socket, _) = tokio_tungstenite::client_async_with_config(
                self.url.as_str(),
                stream,
                Some(self.options.dialled_config()),
            )
            .await
            .map_err(|e| connect_error(e.into()))?;
            Ok(socket)
        };
        let socket = tokio::time::timeout(self.options.handshake_timeout, handshake)
            .await
            .map_err(|e| connect_error(e.into()))??;
        Ok(WebSocketTransport::new(
            socket,
            self.options.max_message_size,
            self.options.liveness_timeout,
            self.url.clone(),
        ))
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

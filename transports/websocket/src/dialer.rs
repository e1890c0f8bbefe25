//! `WebSocketDialer`: the dialling role — connects to a `ws://` URL.

use plugwire_core::{Establish, TransportError};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{WebSocketOptions, WebSocketTransport};

/// Dials a WebSocket server; each `establish` opens a fresh connection.
#[derive(Debug, Clone)]
pub struct WebSocketDialer {
    url: String,
    host: String,
    port: u16,
    options: WebSocketOptions,
}

impl WebSocketDialer {
    /// A dialer for `url` (`ws://host:port[/path]`).
    pub fn new(url: &str, options: WebSocketOptions) -> Result<Self, TransportError> {
        let request = url
            .into_client_request()
            .map_err(|e| TransportError::Config(format!("{url}: {e}")))?;
        let uri = request.uri();
        match uri.scheme_str() {
            Some("ws") => {}
            Some("wss") => {
                return Err(TransportError::Config(format!(
                    "{url}: wss:// is not supported; use ws:// on a trusted network"
                )));
            }
            _ => return Err(TransportError::Config(format!("{url}: not a ws:// URL"))),
        }
        let host = uri
            .host()
            .ok_or_else(|| TransportError::Config(format!("{url}: no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(80);
        Ok(Self {
            url: url.to_owned(),
            host,
            port,
            options,
        })
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
            peer: self.url.clone(),
            source: e,
        };
        let handshake = async {
            let stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| connect_error(e.into()))?;
            crate::options::tune_tcp(&stream).map_err(|e| connect_error(e.into()))?;
            let (socket, _) = tokio_tungstenite::client_async_with_config(
                self.url.as_str(),
                stream,
                Some(self.options.config()),
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

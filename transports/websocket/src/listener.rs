//! `WebSocketListener`: the accepting role — binds an address and accepts many connections.

use std::net::SocketAddr;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::{Listener, TransportError};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tracing::warn;

use crate::{WebSocketOptions, WebSocketTransport};

/// Accepts WebSocket connections on a bound TCP address.
#[derive(Debug)]
pub struct WebSocketListener {
    listener: TcpListener,
    local_addr: SocketAddr,
    options: WebSocketOptions,
}

/// An accepted TCP connection whose WebSocket upgrade has not run yet.
///
/// Kept separate so a server's accept loop never waits on one slow client's upgrade.
#[derive(Debug)]
pub struct PendingWebSocket {
    stream: TcpStream,
    peer: SocketAddr,
    options: WebSocketOptions,
}

impl WebSocketListener {
    /// Binds `addr` (use port 0 for any free port; read it back with [`Self::local_addr`]).
    pub async fn bind(
        addr: impl ToSocketAddrs,
        options: WebSocketOptions,
    ) -> Result<Self, TransportError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| TransportError::Connect {
                peer: "listen address".to_owned(),
                source: e.into(),
            })?;
        let local_addr = listener.local_addr().map_err(TransportError::io)?;
        Ok(Self {
            listener,
            local_addr,
            options,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Waits for the next TCP connection (its upgrade is run separately).
    pub async fn accept_connection(&self) -> Result<PendingWebSocket, TransportError> {
        let (stream, peer) = self.listener.accept().await.map_err(TransportError::io)?;
        crate::options::tune_tcp(&stream).map_err(TransportError::io)?;
        Ok(PendingWebSocket {
            stream,
            peer,
            options: self.options.clone(),
        })
    }
}

impl PendingWebSocket {
    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Runs the WebSocket upgrade, bounded by the handshake timeout.
    pub async fn upgrade(self) -> Result<WebSocketTransport, TransportError> {
        let peer = self.peer.to_string();
        let token = self.options.access_token.clone();
        let refused_from = peer.clone();
        // The callback's error is tungstenite's HTTP response, large by its nature.
        #[allow(clippy::result_large_err)]
        let check = move |request: &Request, response: Response| match &token {
            Some(token) => token.check(request, response).inspect_err(|_| {
                warn!(peer = %refused_from, "refused a connection without the access token");
            }),
            None => Ok(response),
        };
        let upgrade = tokio_tungstenite::accept_hdr_async_with_config(
            self.stream,
            check,
            Some(self.options.config()),
        );
        let socket = tokio::time::timeout(self.options.handshake_timeout, upgrade)
            .await
            .map_err(|e| TransportError::Connect {
                peer: peer.clone(),
                source: e.into(),
            })?
            .map_err(|e| TransportError::Connect {
                peer: peer.clone(),
                source: e.into(),
            })?;
        Ok(WebSocketTransport::new(
            socket,
            self.options.max_message_size,
            self.options.liveness_timeout,
            peer,
        ))
    }
}

impl Listener for WebSocketListener {
    type Transport = WebSocketTransport;
    type Pending = BoxFuture<'static, Result<WebSocketTransport, TransportError>>;

    async fn accept(&self) -> Result<(Self::Pending, String), TransportError> {
        let pending = self.accept_connection().await?;
        let peer = format!("ws {}", pending.peer());
        Ok((pending.upgrade().boxed(), peer))
    }

    /// The URL clients dial, with the access token as its path when one is required.
    fn describe(&self) -> String {
        match &self.options.access_token {
            Some(token) => format!("ws://{}/{}", self.local_addr, token.as_str()),
            None => format!("ws://{}", self.local_addr),
        }
    }
}

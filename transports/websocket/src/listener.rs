//! `WebSocketListener`: the accepting role — binds an address and accepts many connections.

use std::net::SocketAddr;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::{Listener, TransportError};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

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
        let upgrade =
            tokio_tungstenite::accept_async_with_config(self.stream, Some(self.options.config()));
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

    fn describe(&self) -> String {
        format!("ws://{}", self.local_addr)
    }
}

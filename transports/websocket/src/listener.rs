//! `WebSocketListener`: the accepting role — binds an address and accepts many connections.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::log_limit::LogLimit;
use plugwire_core::{Listener, TransportError};
use plugwire_tls::{Fingerprint, ServerIdentity, TlsVersions};
use tokio::net::{TcpListener, TcpSocket, TcpStream, ToSocketAddrs};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tracing::warn;

use crate::stream::MaybeTls;
use crate::{WebSocketOptions, WebSocketTransport};

/// Connections the kernel may hold, their TCP handshake done, until the server accepts them
/// (it caps this at `net.core.somaxconn`, 4,096 by default on Linux). tokio's 1,024 overflowed
/// when thousands of clients connected at once, and every overflow cost its client a one-second
/// SYN retransmission.
const LISTEN_BACKLOG: u32 = 4096;

/// What a `wss://` listener presents.
#[derive(Clone)]
struct Secure {
    acceptor: TlsAcceptor,
    fingerprint: Fingerprint,
}

/// Refusals a stranger can cause as fast as they connect: at most ten log lines per ten
/// seconds, each counting those left unsaid.
static REFUSALS: LogLimit = LogLimit::new(10, std::time::Duration::from_secs(10));

impl std::fmt::Debug for Secure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secure")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Accepts WebSocket connections on a bound TCP address.
#[derive(Debug)]
pub struct WebSocketListener {
    listener: TcpListener,
    local_addr: SocketAddr,
    /// TLS, for `wss://`.
    secure: Option<Secure>,
    options: WebSocketOptions,
}

/// An accepted TCP connection whose WebSocket upgrade has not run yet.
///
/// Kept separate so a server's accept loop never waits on one slow client's upgrade.
#[derive(Debug)]
pub struct PendingWebSocket {
    stream: TcpStream,
    peer: SocketAddr,
    secure: Option<Secure>,
    options: WebSocketOptions,
}

impl WebSocketListener {
    /// Binds `addr` (use port 0 for any free port; read it back with [`Self::local_addr`]).
    pub async fn bind(
        addr: impl ToSocketAddrs,
        options: WebSocketOptions,
    ) -> Result<Self, TransportError> {
        let listener = bind_tcp(addr).await.map_err(|e| TransportError::Listen {
            address: "the WebSocket address".to_owned(),
            source: e.into(),
        })?;
        let local_addr = listener.local_addr().map_err(TransportError::io)?;
        Ok(Self {
            listener,
            local_addr,
            secure: None,
            options,
        })
    }

    /// Binds `addr` for `wss://`: every connection speaks TLS first, presenting `identity`.
    pub async fn bind_secure(
        addr: impl ToSocketAddrs,
        identity: &ServerIdentity,
        options: WebSocketOptions,
    ) -> Result<Self, TransportError> {
        let config = plugwire_tls::server_config(identity, TlsVersions::Tls12And13, &[])?;
        let mut listener = Self::bind(addr, options).await?;
        listener.secure = Some(Secure {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint: identity.fingerprint(),
        });
        Ok(listener)
    }

    /// The fingerprint of the certificate a `wss://` listener presents.
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.secure.as_ref().map(|secure| secure.fingerprint)
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
            secure: self.secure.clone(),
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
        let check = move |request: &Request, response: Response| {
            match &token {
            Some(token) => crate::access::check(token, request, response).inspect_err(|_| {
                if let Some(unsaid) = REFUSALS.admit_now() {
                    warn!(peer = %refused_from, unsaid, "refused a connection without the access token");
                }
            }),
            None => Ok(response),
        }
        };
        let config = self.options.accepted_config();
        let upgrade = async move {
            let stream = match self.secure {
                None => MaybeTls::Plain(self.stream),
                Some(secure) => {
                    let stream = secure.acceptor.accept(self.stream).await?;
                    MaybeTls::Tls(Box::new(stream.into()))
                }
            };
            tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config))
                .await
                .map_err(std::io::Error::other)
        };
        let socket = tokio::time::timeout(self.options.upgrade_timeout, upgrade)
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

/// Binds the first of `addr`'s addresses that can be bound, as `TcpListener::bind` does
/// (address reuse on Unix, so a restarted server need not wait out old connections), with a
/// backlog of [`LISTEN_BACKLOG`].
async fn bind_tcp(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    let mut last_error = None;
    for address in tokio::net::lookup_host(addr).await? {
        let socket = if address.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(address) {
            Ok(()) => return socket.listen(LISTEN_BACKLOG),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the listen address resolved to no address",
        )
    }))
}

impl Listener for WebSocketListener {
    type Transport = WebSocketTransport;
    type Pending = BoxFuture<'static, Result<WebSocketTransport, TransportError>>;

    async fn accept(&self) -> Result<(Self::Pending, String), TransportError> {
        let pending = self.accept_connection().await?;
        let scheme = if self.secure.is_some() { "wss" } else { "ws" };
        let peer = format!("{scheme} {}", pending.peer());
        Ok((pending.upgrade().boxed(), peer))
    }

    /// The URL clients dial: the access token as its path when one is required, and for
    /// `wss://` the certificate's fingerprint to pin.
    fn describe(&self) -> String {
        let scheme = if self.secure.is_some() { "wss" } else { "ws" };
        let path = match &self.options.access_token {
            Some(token) => format!("/{}", token.as_str()),
            None => String::new(),
        };
        match &self.secure {
            Some(secure) => format!(
                "{scheme}://{}{path}?fingerprint={}",
                self.local_addr, secure.fingerprint
            ),
            None => format!("{scheme}://{}{path}", self.local_addr),
        }
    }
}

//! [`AnyListener`] and [`AnyDialer`]: the transport a URL names, chosen at run time, behind the
//! core seams, so callers never match on the transport.

#[cfg(feature = "quic")]
use std::net::SocketAddr;
#[cfg(any(feature = "websocket", feature = "quic"))]
use std::path::Path;

use futures::future::BoxFuture;
#[cfg(any(feature = "websocket", feature = "quic"))]
use plugwire_core::access::AccessToken;
use plugwire_core::{BoxTransport, Establish, Listener, Transport, TransportError};
#[cfg(feature = "ipc")]
use plugwire_ipc::{IpcDialer, IpcListener, IpcName};
#[cfg(feature = "quic")]
use plugwire_quic::{QuicDialer, QuicListener};
#[cfg(any(feature = "websocket", feature = "quic"))]
use plugwire_tls::{Fingerprint, ServerIdentity, ServerTrust};
#[cfg(feature = "websocket")]
use plugwire_websocket::{WebSocketDialer, WebSocketListener};

use super::error::ConnectError;
use super::options::ConnectOptions;
#[cfg(any(feature = "websocket", feature = "quic"))]
use super::options::default_data_dir;
use super::url::{Address, ConnectionUrl, UrlError};
#[cfg(any(feature = "websocket", feature = "quic"))]
use super::url::{Tls, TlsTrust};

/// A bound listener of any transport built in.
#[non_exhaustive]
pub enum AnyListener {
    /// WebSocket.
    #[cfg(feature = "websocket")]
    WebSocket(WebSocketListener),
    /// Local socket.
    #[cfg(feature = "ipc")]
    Ipc(IpcListener),
    /// QUIC.
    #[cfg(feature = "quic")]
    Quic(QuicListener),
}

/// A dialler of any transport built in.
#[non_exhaustive]
pub enum AnyDialer {
    /// WebSocket.
    #[cfg(feature = "websocket")]
    WebSocket(WebSocketDialer),
    /// Local socket.
    #[cfg(feature = "ipc")]
    Ipc(IpcDialer),
    /// QUIC.
    #[cfg(feature = "quic")]
    Quic(QuicDialer),
}

/// The error for a URL whose transport this build leaves out.
#[allow(dead_code)]
fn not_built_in(address: &Address) -> ConnectError {
    let (what, feature) = match address {
        Address::WebSocket { tls: None, .. } => ("ws://", "websocket"),
        Address::WebSocket { tls: Some(_), .. } => ("wss://", "websocket"),
        Address::IpcPath(_) | Address::IpcName(_) => ("ipc://", "ipc"),
        Address::Quic { .. } => ("quic://", "quic"),
    };
    ConnectError::NotBuiltIn { what, feature }
}

impl AnyListener {
    /// The address a network listener is bound to (`None` for local sockets).
    pub fn local_addr(&self) -> Option<std::net::SocketAddr> {
        match self {
            #[cfg(feature = "websocket")]
            Self::WebSocket(l) => Some(l.local_addr()),
            #[cfg(feature = "ipc")]
            Self::Ipc(_) => None,
            #[cfg(feature = "quic")]
            Self::Quic(l) => Some(l.local_addr()),
        }
    }

    /// Binds the listener `url` describes.
    pub async fn bind(url: &ConnectionUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        if let Some(serializer) = url.serializer.filter(|s| !s.is_built_in()) {
            return Err(ConnectError::serializer_not_built_in(serializer));
        }
        #[allow(unused_variables)]
        let url_error = |reason: String| {
            ConnectError::Url(UrlError {
                url: url.to_string(),
                reason,
            })
        };
        Ok(match &url.address {
            #[cfg(feature = "websocket")]
            Address::WebSocket {
                host,
                port,
                token,
                tls,
                ..
            } => {
                let mut websocket = options.websocket.clone();
                if let Some(token) = token {
                    websocket.access_token = Some(access_token(token).map_err(url_error)?);
                }
                match tls {
                    None => Self::WebSocket(
                        WebSocketListener::bind((host.as_str(), *port), websocket).await?,
                    ),
                    Some(tls) => {
                        let identity = listener_identity(tls, "wss", host, options)
                            .map_err(|e| e.in_url(url))?;
                        Self::WebSocket(
                            WebSocketListener::bind_secure(
                                (host.as_str(), *port),
                                &identity,
                                websocket,
                            )
                            .await?,
                        )
                    }
                }
            }
            #[cfg(feature = "ipc")]
            Address::IpcPath(path) => Self::Ipc(
                IpcListener::bind(IpcName::Path(path.clone()), options.ipc.clone()).await?,
            ),
            #[cfg(feature = "ipc")]
            Address::IpcName(name) => Self::Ipc(
                IpcListener::bind(IpcName::Namespaced(name.clone()), options.ipc.clone()).await?,
            ),
            #[cfg(feature = "quic")]
            Address::Quic {
                host,
                port,
                tls,
                token,
            } => {
                let identity =
                    listener_identity(tls, "quic", host, options).map_err(|e| e.in_url(url))?;
                let mut quic = options.quic.clone();
                if let Some(token) = token {
                    quic.access_token = Some(access_token(token).map_err(url_error)?);
                }
                let address = resolve(host, *port).await?;
                Self::Quic(QuicListener::bind(address, &identity, quic)?)
            }
            #[allow(unreachable_patterns)]
            other => return Err(not_built_in(other)),
        })
    }
}

/// Boxes an accepted connection's handshake so every transport's looks the same.
fn boxed<T: Transport>(
    (pending, peer): (
        impl Future<Output = Result<T, TransportError>> + Send + 'static,
        String,
    ),
) -> (
    BoxFuture<'static, Result<BoxTransport, TransportError>>,
    String,
) {
    let pending = async move { Ok(Box::new(pending.await?) as BoxTransport) };
    (Box::pin(pending), peer)
}

impl Listener for AnyListener {
    type Transport = BoxTransport;
    type Pending = BoxFuture<'static, Result<BoxTransport, TransportError>>;

    async fn accept(&self) -> Result<(Self::Pending, String), TransportError> {
        Ok(match self {
            #[cfg(feature = "websocket")]
            Self::WebSocket(l) => boxed(l.accept().await?),
            #[cfg(feature = "ipc")]
            Self::Ipc(l) => boxed(l.accept().await?),
            #[cfg(feature = "quic")]
            Self::Quic(l) => boxed(l.accept().await?),
        })
    }

    /// What it listens on, as a URL a dialler can use (with the fingerprint for QUIC).
    fn describe(&self) -> String {
        match self {
            #[cfg(feature = "websocket")]
            Self::WebSocket(l) => l.describe(),
            #[cfg(feature = "ipc")]
            Self::Ipc(l) => l.describe(),
            #[cfg(feature = "quic")]
            Self::Quic(l) => l.describe(),
        }
    }
}

/// Why a URL's TLS settings could not be used: the URL's fault, or the transport's.
#[cfg(any(feature = "websocket", feature = "quic"))]
enum TlsSetupError {
    Url(String),
    Transport(TransportError),
}

#[cfg(any(feature = "websocket", feature = "quic"))]
impl TlsSetupError {
    fn in_url(self, url: &ConnectionUrl) -> ConnectError {
        match self {
            Self::Url(reason) => ConnectError::Url(UrlError {
                url: url.to_string(),
                reason,
            }),
            Self::Transport(error) => ConnectError::Transport(error),
        }
    }
}

/// The token a URL names, checked.
#[cfg(any(feature = "websocket", feature = "quic"))]
fn access_token(token: &str) -> Result<AccessToken, String> {
    AccessToken::new(token).map_err(|e| e.to_string())
}

/// What a TLS listener presents: the URL's certificate and key, or the identity kept in the
/// data directory under `stem` (generated on first use).
#[cfg(any(feature = "websocket", feature = "quic"))]
fn listener_identity(
    tls: &Tls,
    stem: &str,
    host: &str,
    options: &ConnectOptions,
) -> Result<ServerIdentity, TlsSetupError> {
    if tls.trust.is_some() {
        return Err(TlsSetupError::Url(
            "fingerprint, ca and dangerous-accept-any-certificate are for dialling, not listening"
                .into(),
        ));
    }
    match &tls.identity {
        Some((cert, key)) => {
            ServerIdentity::from_pem_files(cert, key).map_err(TlsSetupError::Transport)
        }
        None => ServerIdentity::load_or_generate(
            &options.data_dir.clone().unwrap_or_else(default_data_dir),
            stem,
            &plugwire_tls::certificate_names(host),
        )
        .map_err(TlsSetupError::Transport),
    }
}

/// How a TLS dialler trusts the listener: what the URL says, else the system's roots.
#[cfg(any(feature = "websocket", feature = "quic"))]
fn dialler_trust(tls: &Tls) -> Result<ServerTrust, TlsSetupError> {
    if tls.identity.is_some() {
        return Err(TlsSetupError::Url(
            "cert and key are for listening, not dialling".into(),
        ));
    }
    Ok(match &tls.trust {
        Some(TlsTrust::Fingerprint(text)) => ServerTrust::Pinned(
            text.parse::<Fingerprint>()
                .map_err(|e| TlsSetupError::Url(e.to_string()))?,
        ),
        Some(TlsTrust::CaFile(path)) => ServerTrust::CaFile(Path::new(path).to_owned()),
        Some(TlsTrust::DangerousAcceptAnyCertificate) => ServerTrust::DangerousAcceptAnyCertificate,
        None => ServerTrust::SystemRoots,
    })
}

#[cfg(feature = "quic")]
async fn resolve(host: &str, port: u16) -> Result<SocketAddr, TransportError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| TransportError::Connect {
            peer: format!("{host}:{port}"),
            source: e.into(),
        })?
        .next()
        .ok_or_else(|| TransportError::Config(format!("{host}: resolves to no address")))
}

impl AnyDialer {
    /// The dialler `url` describes.
    pub fn new(url: &ConnectionUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        if let Some(serializer) = url.serializer.filter(|s| !s.is_built_in()) {
            return Err(ConnectError::serializer_not_built_in(serializer));
        }
        #[allow(unused_variables)]
        let url_error = |reason: String| {
            ConnectError::Url(UrlError {
                url: url.to_string(),
                reason,
            })
        };
        Ok(match &url.address {
            #[cfg(feature = "websocket")]
            Address::WebSocket { tls, .. } => {
                let ws = url.address.websocket_url().unwrap_or_default();
                let dialer = WebSocketDialer::new(&ws, options.websocket.clone())?;
                Self::WebSocket(match tls {
                    None => dialer,
                    Some(tls) => dialer.trusting(dialler_trust(tls).map_err(|e| e.in_url(url))?)?,
                })
            }
            #[cfg(feature = "ipc")]
            Address::IpcPath(path) => Self::Ipc(IpcDialer::new(
                IpcName::Path(path.clone()),
                options.ipc.clone(),
            )),
            #[cfg(feature = "ipc")]
            Address::IpcName(name) => Self::Ipc(IpcDialer::new(
                IpcName::Namespaced(name.clone()),
                options.ipc.clone(),
            )),
            #[cfg(feature = "quic")]
            Address::Quic {
                host,
                port,
                tls,
                token,
            } => {
                let trust = dialler_trust(tls).map_err(|e| e.in_url(url))?;
                let mut quic = options.quic.clone();
                if let Some(token) = token {
                    quic.access_token = Some(access_token(token).map_err(url_error)?);
                }
                Self::Quic(QuicDialer::new(host, *port, trust, quic))
            }
            #[allow(unreachable_patterns)]
            other => return Err(not_built_in(other)),
        })
    }
}

impl Establish for AnyDialer {
    type Transport = BoxTransport;

    async fn establish(&mut self) -> Result<BoxTransport, TransportError> {
        Ok(match self {
            #[cfg(feature = "websocket")]
            Self::WebSocket(d) => Box::new(d.establish().await?),
            #[cfg(feature = "ipc")]
            Self::Ipc(d) => Box::new(d.establish().await?),
            #[cfg(feature = "quic")]
            Self::Quic(d) => Box::new(d.establish().await?),
        })
    }

    fn describe(&self) -> String {
        match self {
            #[cfg(feature = "websocket")]
            Self::WebSocket(d) => d.describe(),
            #[cfg(feature = "ipc")]
            Self::Ipc(d) => d.describe(),
            #[cfg(feature = "quic")]
            Self::Quic(d) => d.describe(),
        }
    }
}

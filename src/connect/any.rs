//! [`AnyListener`] and [`AnyDialer`]: the transport a URL names, chosen at run time, behind the
//! core seams, so callers never match on the transport.

#[cfg(feature = "quic")]
use std::net::SocketAddr;

use futures::future::BoxFuture;
use plugwire_core::{BoxTransport, Establish, Listener, Transport, TransportError};
#[cfg(feature = "ipc")]
use plugwire_ipc::{IpcDialer, IpcListener, IpcName};
#[cfg(feature = "quic")]
use plugwire_quic::{Fingerprint, QuicDialer, QuicListener, ServerIdentity, ServerTrust};
#[cfg(feature = "websocket")]
use plugwire_websocket::{WebSocketDialer, WebSocketListener};

#[cfg(feature = "quic")]
use super::QuicTrust;
use super::{Address, ConnectError, ConnectOptions, ConnectionUrl, UrlError};

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
        Address::WebSocket { .. } => ("ws://", "websocket"),
        Address::IpcPath(_) | Address::IpcName(_) => ("ipc://", "ipc"),
        Address::Quic { .. } => ("quic://", "quic"),
    };
    ConnectError::NotBuiltIn { what, feature }
}

impl AnyListener {
    /// Binds the listener `url` describes.
    pub async fn bind(url: &ConnectionUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        if let Some(serializer) = url.serializer.filter(|s| !s.is_built_in()) {
            return Err(serializer.not_built_in());
        }
        Ok(match &url.address {
            #[cfg(feature = "websocket")]
            Address::WebSocket {
                host, port, token, ..
            } => {
                let mut websocket = options.websocket.clone();
                if let Some(token) = token {
                    let token = plugwire_websocket::AccessToken::new(token).map_err(|e| {
                        ConnectError::Url(UrlError {
                            url: url.to_string(),
                            reason: e.to_string(),
                        })
                    })?;
                    websocket.access_token = Some(token);
                }
                Self::WebSocket(WebSocketListener::bind((host.as_str(), *port), websocket).await?)
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
                identity,
                trust,
            } => {
                if trust.is_some() {
                    return Err(ConnectError::Url(UrlError {
                        url: url.to_string(),
                        reason: "fingerprint, ca and dangerous-accept-any-certificate are for dialling, not listening".into(),
                    }));
                }
                let identity = match identity {
                    Some((cert, key)) => ServerIdentity::from_pem_files(cert, key)?,
                    None => ServerIdentity::load_or_generate(
                        &options
                            .data_dir
                            .clone()
                            .unwrap_or_else(super::default_data_dir),
                        &certificate_names(host),
                    )?,
                };
                let address = resolve(host, *port).await?;
                Self::Quic(QuicListener::bind(
                    address,
                    &identity,
                    options.quic.clone(),
                )?)
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

/// Names a generated certificate is made for: the host listened on, plus loopback.
#[cfg(feature = "quic")]
fn certificate_names(host: &str) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let unspecified = matches!(host, "0.0.0.0" | "::" | "[::]");
    if !unspecified && !names.iter().any(|n| n == host) {
        names.push(host.to_owned());
    }
    names
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
            return Err(serializer.not_built_in());
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
            Address::WebSocket { .. } => {
                let ws = url.address.websocket_url().unwrap_or_default();
                Self::WebSocket(WebSocketDialer::new(&ws, options.websocket.clone())?)
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
                trust,
                identity,
            } => {
                if identity.is_some() {
                    return Err(url_error(
                        "cert and key are for listening, not dialling".into(),
                    ));
                }
                let trust = match trust {
                    Some(QuicTrust::Fingerprint(text)) => {
                        ServerTrust::Pinned(text.parse::<Fingerprint>().map_err(url_error)?)
                    }
                    Some(QuicTrust::CaFile(path)) => ServerTrust::CaFile(path.clone()),
                    Some(QuicTrust::DangerousAcceptAnyCertificate) => {
                        ServerTrust::DangerousAcceptAnyCertificate
                    }
                    None => {
                        return Err(url_error(
                            "dialling QUIC needs fingerprint=sha256:..., ca=PATH, or dangerous-accept-any-certificate=true".into(),
                        ));
                    }
                };
                Self::Quic(QuicDialer::new(host, *port, trust, options.quic.clone()))
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

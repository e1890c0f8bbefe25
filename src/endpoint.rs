//! Turning [connection URLs](crate::url) into transports: connectors for clients (dialling, or
//! listening for a server to dial in) and listeners or diallers for servers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use plugwire_core::connector::{Connector, RemoteConnector};
use plugwire_core::{AcceptOne, Listener, Serializer, TransportError};
use plugwire_ipc::{IpcDialer, IpcListener, IpcName, IpcOptions};
use plugwire_json::JsonSerializer;
use plugwire_msgpack::MsgpackSerializer;
use plugwire_quic::{
    Fingerprint, QuicDialer, QuicListener, QuicOptions, ServerIdentity, ServerTrust,
};
use plugwire_websocket::{WebSocketDialer, WebSocketListener, WebSocketOptions};

use crate::server::Server;
use crate::server::format::Detect;
use crate::url::{ConnectionUrl, Endpoint, Format, QuicTrust, UrlError};

/// Settings that are not part of a URL.
#[derive(Debug, Clone)]
pub struct EndpointOptions {
    /// Where a QUIC listener keeps its generated certificate.
    pub data_dir: PathBuf,
    /// WebSocket limits.
    pub websocket: WebSocketOptions,
    /// Local-socket limits.
    pub ipc: IpcOptions,
    /// QUIC limits and timers.
    pub quic: QuicOptions,
}

impl Default for EndpointOptions {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            websocket: WebSocketOptions::default(),
            ipc: IpcOptions::default(),
            quic: QuicOptions::default(),
        }
    }
}

/// The per-user data directory: `$XDG_DATA_HOME/plugwire`, `~/.local/share/plugwire`, or
/// `%APPDATA%\plugwire`.
pub fn default_data_dir() -> PathBuf {
    let env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".local").join("share")))
        .or_else(|| env("APPDATA"))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("plugwire")
}

/// Why a URL could not be turned into a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The URL itself is wrong.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The transport could not be set up (bind failed, bad certificate file, ...).
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// A bound listener of any transport.
pub enum AnyListener {
    /// WebSocket.
    WebSocket(WebSocketListener),
    /// Local socket.
    Ipc(IpcListener),
    /// QUIC.
    Quic(QuicListener),
}

impl AnyListener {
    /// Binds the listener `url` describes.
    pub async fn bind(
        url: &ConnectionUrl,
        options: &EndpointOptions,
    ) -> Result<Self, EndpointError> {
        Ok(match &url.endpoint {
            Endpoint::WebSocket { host, port, .. } => Self::WebSocket(
                WebSocketListener::bind((host.as_str(), *port), options.websocket.clone()).await?,
            ),
            Endpoint::IpcPath(path) => Self::Ipc(
                IpcListener::bind(IpcName::Path(path.clone()), options.ipc.clone()).await?,
            ),
            Endpoint::IpcName(name) => Self::Ipc(
                IpcListener::bind(IpcName::Namespaced(name.clone()), options.ipc.clone()).await?,
            ),
            Endpoint::Quic {
                host,
                port,
                identity,
                trust,
            } => {
                if trust.is_some() {
                    return Err(EndpointError::Url(UrlError {
                        url: url.to_string(),
                        reason: "fingerprint, ca and dangerous-accept-any-certificate are for dialling, not listening".into(),
                    }));
                }
                let identity = match identity {
                    Some((cert, key)) => ServerIdentity::from_pem_files(cert, key)?,
                    None => ServerIdentity::load_or_generate(
                        &options.data_dir,
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
        })
    }

    /// What it listens on, as a URL a dialler can use (with the fingerprint for QUIC).
    pub fn describe(&self) -> String {
        match self {
            Self::WebSocket(l) => l.describe(),
            Self::Ipc(l) => l.describe(),
            Self::Quic(l) => l.describe(),
        }
    }
}

/// Names a generated certificate is made for: the host listened on, plus loopback.
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

/// A dialler of any transport.
pub enum AnyDialer {
    /// WebSocket.
    WebSocket(WebSocketDialer),
    /// Local socket.
    Ipc(IpcDialer),
    /// QUIC.
    Quic(QuicDialer),
}

impl AnyDialer {
    /// The dialler `url` describes.
    pub fn new(url: &ConnectionUrl, options: &EndpointOptions) -> Result<Self, EndpointError> {
        let url_error = |reason: String| {
            EndpointError::Url(UrlError {
                url: url.to_string(),
                reason,
            })
        };
        Ok(match &url.endpoint {
            Endpoint::WebSocket { url: ws, .. } => {
                Self::WebSocket(WebSocketDialer::new(ws, options.websocket.clone())?)
            }
            Endpoint::IpcPath(path) => Self::Ipc(IpcDialer::new(
                IpcName::Path(path.clone()),
                options.ipc.clone(),
            )),
            Endpoint::IpcName(name) => Self::Ipc(IpcDialer::new(
                IpcName::Namespaced(name.clone()),
                options.ipc.clone(),
            )),
            Endpoint::Quic {
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
        })
    }
}

/// A client connector that dials `url`.
pub fn dial(
    url: &ConnectionUrl,
    options: &EndpointOptions,
) -> Result<Box<dyn Connector>, EndpointError> {
    let dialer = AnyDialer::new(url, options)?;
    Ok(match url.format.unwrap_or_default() {
        Format::Json => boxed_dialling(dialer, JsonSerializer),
        Format::Msgpack => boxed_dialling(dialer, MsgpackSerializer),
    })
}

fn boxed_dialling<S: Serializer>(dialer: AnyDialer, serializer: S) -> Box<dyn Connector> {
    match dialer {
        AnyDialer::WebSocket(d) => Box::new(RemoteConnector::new(d, serializer)),
        AnyDialer::Ipc(d) => Box::new(RemoteConnector::new(d, serializer)),
        AnyDialer::Quic(d) => Box::new(RemoteConnector::new(d, serializer)),
    }
}

/// A client connector that listens on `url` and waits for a server to dial in (the reversed
/// roles of a device forwarder). Returns it with what it listens on, to tell the server.
pub async fn listen(
    url: &ConnectionUrl,
    options: &EndpointOptions,
) -> Result<(Box<dyn Connector>, String), EndpointError> {
    let listener = AnyListener::bind(url, options).await?;
    let description = listener.describe();
    let connector = match url.format.unwrap_or_default() {
        Format::Json => boxed_listening(listener, JsonSerializer),
        Format::Msgpack => boxed_listening(listener, MsgpackSerializer),
    };
    Ok((connector, description))
}

fn boxed_listening<S: Serializer>(listener: AnyListener, serializer: S) -> Box<dyn Connector> {
    match listener {
        AnyListener::WebSocket(l) => Box::new(RemoteConnector::new(AcceptOne(l), serializer)),
        AnyListener::Ipc(l) => Box::new(RemoteConnector::new(AcceptOne(l), serializer)),
        AnyListener::Quic(l) => Box::new(RemoteConnector::new(AcceptOne(l), serializer)),
    }
}

impl Server {
    /// Serves every connection on `listener` until shutdown, in the serialization each
    /// connection's first frame uses (or only `format`, if given).
    pub async fn listen_on(self: &Arc<Self>, listener: AnyListener, format: Option<Format>) {
        let detect = Detect { only: format };
        match listener {
            AnyListener::WebSocket(l) => self.listen(l, detect).await,
            AnyListener::Ipc(l) => self.listen(l, detect).await,
            AnyListener::Quic(l) => self.listen(l, detect).await,
        }
    }

    /// Dials `dialer` and serves a session on each connection until shutdown (reversed
    /// roles); the client still speaks first, so its serialization is detected the same way.
    pub async fn dial_out(self: &Arc<Self>, dialer: AnyDialer, format: Option<Format>) {
        let detect = Detect { only: format };
        match dialer {
            AnyDialer::WebSocket(d) => self.dial(d, detect).await,
            AnyDialer::Ipc(d) => self.dial(d, detect).await,
            AnyDialer::Quic(d) => self.dial(d, detect).await,
        }
    }
}

/// Accepts device forwarders on `listener` until `shutdown`; their devices join `manager`.
pub async fn accept_forwarders_on(
    manager: Arc<crate::device::DeviceManager>,
    listener: AnyListener,
    shutdown: tokio_util::sync::CancellationToken,
) {
    use crate::device::forwarded::accept_forwarders;
    match listener {
        AnyListener::WebSocket(l) => accept_forwarders(manager, l, JsonSerializer, shutdown).await,
        AnyListener::Ipc(l) => accept_forwarders(manager, l, JsonSerializer, shutdown).await,
        AnyListener::Quic(l) => accept_forwarders(manager, l, JsonSerializer, shutdown).await,
    }
}

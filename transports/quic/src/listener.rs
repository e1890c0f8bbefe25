//! `QuicListener`: the accepting role.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use plugwire_core::framing::LengthDelimited;
use plugwire_core::log_limit::LogLimit;
use plugwire_core::sync::Mutex;
use plugwire_core::{Listener, TransportError};
use quinn::Endpoint;
use quinn::crypto::rustls::QuicServerConfig;

use plugwire_tls::TlsVersions;

use tracing::{debug, warn};

use crate::{
    ALPN, Fingerprint, PREAMBLE, PREAMBLE_WITH_TOKEN, QuicOptions, QuicStream, QuicTransport,
    ServerIdentity,
};

/// Accepts QUIC connections, one session each.
#[derive(Debug)]
pub struct QuicListener {
    /// The endpoint new connections arrive on; replaced by a fresh one now and then (see
    /// [`QuicOptions::renew_endpoint_after`]).
    endpoint: Mutex<Endpoint>,
    /// A duplicate of the bound socket, from which each fresh endpoint gets its own.
    socket: std::net::UdpSocket,
    server_config: Arc<quinn::ServerConfig>,
    runtime: Arc<dyn quinn::Runtime>,
    /// Connections accepted on the current endpoint.
    accepted: AtomicUsize,
    /// Handshakes under way (see [`QuicOptions::retry_above`]).
    underway: Arc<AtomicUsize>,
    /// How many times the endpoint was renewed.
    renewals: AtomicU64,
    local_addr: SocketAddr,
    fingerprint: Fingerprint,
    options: QuicOptions,
}

/// How often a listener waiting for connections checks whether its endpoint can be renewed.
const RENEW_CHECK: Duration = Duration::from_secs(1);

impl QuicListener {
    /// Binds `addr` (port 0 for any free port) and presents `identity`.
    pub fn bind(
        addr: SocketAddr,
        identity: &ServerIdentity,
        options: QuicOptions,
    ) -> Result<Self, TransportError> {
        let mut tls = plugwire_tls::server_config(identity, TlsVersions::Tls13, &[ALPN])?;
        // No session resumption: every session is a fresh connection, and rustls would keep
        // the last 256 sessions' state for good, scattered over the pages a crowd left.
        tls.send_tls13_tickets = 0;
        tls.session_storage = Arc::new(quinn::rustls::server::NoServerSessionStorage {});
        let crypto = QuicServerConfig::try_from(tls)
            .map_err(|e| TransportError::Config(format!("QUIC TLS: {e}")))?;
        let mut server_config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
        server_config.transport_config(Arc::new(options.transport_config()?));
        let bind_error = |e: std::io::Error| TransportError::Listen {
            address: addr.to_string(),
            source: e.into(),
        };
        let socket = std::net::UdpSocket::bind(addr).map_err(bind_error)?;
        let runtime = quinn::default_runtime()
            .ok_or_else(|| bind_error(std::io::Error::other("no async runtime found")))?;
        let endpoint = new_endpoint(&socket, &server_config, &runtime).map_err(bind_error)?;
        let local_addr = endpoint.local_addr().map_err(TransportError::io)?;
        Ok(Self {
            endpoint: Mutex::new(endpoint),
            socket,
            server_config: Arc::new(server_config),
            runtime,
            accepted: AtomicUsize::new(0),
            underway: Arc::new(AtomicUsize::new(0)),
            renewals: AtomicU64::new(0),
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

    /// How many times the listener moved to a fresh endpoint.
    pub fn endpoint_renewals(&self) -> u64 {
        self.renewals.load(Ordering::Relaxed)
    }

    fn current(&self) -> Endpoint {
        self.endpoint.lock().clone()
    }

    /// Moves to a fresh endpoint if the current one has accepted enough connections and has
    /// none open. The old endpoint stops taking connections at once; it goes away (closing
    /// its duplicate of the socket) when the last handle to it is dropped. A client whose
    /// first packet reaches the old endpoint in that instant is not answered and sends it
    /// again, to the new one.
    fn renew_if_idle(&self) {
        let threshold = self.options.renew_endpoint_after;
        if threshold == 0 || self.accepted.load(Ordering::Relaxed) < threshold {
            return;
        }
        let mut endpoint = self.endpoint.lock();
        if endpoint.open_connections() > 0 {
            return;
        }
        match new_endpoint(&self.socket, &self.server_config, &self.runtime) {
            Ok(fresh) => {
                endpoint.set_server_config(None);
                *endpoint = fresh;
                self.accepted.store(0, Ordering::Relaxed);
                self.renewals.fetch_add(1, Ordering::Relaxed);
                debug!(address = %self.local_addr, "moved to a fresh QUIC endpoint");
            }
            Err(error) => warn!(%error, "could not make a fresh QUIC endpoint; keeping the old"),
        }
    }
}

/// A quinn endpoint serving `server_config` on a duplicate of `socket`.
fn new_endpoint(
    socket: &std::net::UdpSocket,
    server_config: &quinn::ServerConfig,
    runtime: &Arc<dyn quinn::Runtime>,
) -> std::io::Result<Endpoint> {
    Endpoint::new(
        quinn::EndpointConfig::default(),
        Some(server_config.clone()),
        socket.try_clone()?,
        runtime.clone(),
    )
}

/// Application close codes: the stream was not plugwire's; the access token was wrong or
/// missing.
const NOT_PLUGWIRE: u32 = 1;
const WRONG_TOKEN: u32 = 2;

/// Refusals a stranger can cause as fast as they connect: at most ten log lines per ten
/// seconds, each counting those left unsaid.
static REFUSALS: LogLimit = LogLimit::new(10, Duration::from_secs(10));

/// One handshake counted as under way until dropped.
struct Underway(Arc<AtomicUsize>);

impl Underway {
    fn count(underway: &Arc<AtomicUsize>) -> Self {
        underway.fetch_add(1, Ordering::Relaxed);
        Self(underway.clone())
    }
}

impl Drop for Underway {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

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
            if let Some(unsaid) = REFUSALS.admit_now() {
                warn!(%peer, unsaid, "refused a QUIC connection without the access token");
            }
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
        loop {
            self.renew_if_idle();
            let endpoint = self.current();
            // quinn's accept is cancel-safe: a connection arriving while the check runs
            // waits in the endpoint's queue.
            let incoming = tokio::select! {
                incoming = endpoint.accept() => incoming.ok_or(TransportError::Closed)?,
                () = tokio::time::sleep(RENEW_CHECK) => continue,
            };
            if self.underway.load(Ordering::Relaxed) >= self.options.retry_above
                && !incoming.remote_address_validated()
                && incoming.may_retry()
            {
                // Busy: the peer must show it receives at its address before it costs more.
                if let Err(error) = incoming.retry() {
                    error.into_incoming().ignore();
                }
                continue;
            }
            self.accepted.fetch_add(1, Ordering::Relaxed);
            let peer = format!("quic {}", incoming.remote_address());
            let underway = Underway::count(&self.underway);
            let completing = complete(incoming, self.options.clone());
            return Ok((
                async move {
                    let completed = completing.await;
                    drop(underway);
                    completed
                }
                .boxed(),
                peer,
            ));
        }
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

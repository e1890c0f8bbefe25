//! plugwire-quic: QUIC transport on quinn, with rustls (ring) certificates.
//!
//! One QUIC connection carries one Buttplug session on one bidirectional stream, framed as on
//! every byte-stream transport (big-endian u32 length prefix). The side that dials opens the
//! stream and writes a preamble so the accepting side sees it at once, even when the Buttplug
//! client is the one listening: `bpw1`, or, carrying an [`AccessToken`], `bpwt`, one length
//! byte and the token. A listener that requires a token closes a connection without the right
//! one (application code 2, reason "wrong or missing access token") before reading anything
//! else.
//!
//! Trust: the listening side has a [`ServerIdentity`] (a certificate and key, generated and kept
//! on first use, or given). The dialling side trusts it by [`ServerTrust::Pinned`] SHA-256
//! fingerprint, by a CA file ([`ServerTrust::CaFile`]), or, only when asked for by name,
//! [`ServerTrust::DangerousAcceptAnyCertificate`]. The ALPN protocol name is [`ALPN`].
//!
//! Depends on `plugwire-core` and `plugwire-tls`.

mod dialer;
mod listener;
mod stream;

use std::time::Duration;

use plugwire_core::framing::{DEFAULT_MAX_FRAME, LengthDelimited};

pub use dialer::QuicDialer;
pub use listener::QuicListener;
use plugwire_core::access::AccessToken;
pub use plugwire_tls::{Fingerprint, ServerIdentity, ServerTrust};
pub use stream::QuicStream;

/// The ALPN protocol name both sides must agree on.
pub const ALPN: &[u8] = b"buttplug";

/// Written first by the side that opens the stream, when it has no access token.
pub(crate) const PREAMBLE: &[u8; 4] = b"bpw1";

/// Written first instead of [`PREAMBLE`] by a side with an access token, followed by the
/// token's length (one byte) and the token.
pub(crate) const PREAMBLE_WITH_TOKEN: &[u8; 4] = b"bpwt";

/// One QUIC session stream, dialled or accepted.
pub type QuicTransport = LengthDelimited<QuicStream>;

/// Limits and timers of a QUIC connection.
#[derive(Debug, Clone)]
pub struct QuicOptions {
    /// Largest frame accepted or sent, in bytes.
    pub max_frame: usize,
    /// A connection with no traffic for this long is closed (and its session ends): the
    /// liveness window. Zero turns it off.
    pub idle_timeout: Duration,
    /// Keep-alive packets are sent this often, so a quiet but healthy session stays open.
    pub keep_alive: Duration,
    /// How long the QUIC and stream handshakes may take.
    pub handshake_timeout: Duration,
    /// The access token: what a dialler presents, what a listener requires (`None`: a
    /// listener admits anyone, as on loopback).
    pub access_token: Option<AccessToken>,
    /// After a listener has accepted this many connections, the next time none is open it
    /// moves to a fresh quinn endpoint on the same socket: quinn's endpoint keeps its
    /// connection tables at the largest size a crowd made them (about 0.9 KB per connection),
    /// and a fresh endpoint starts small. Zero keeps one endpoint for the listener's life.
    pub renew_endpoint_after: usize,
    /// With this many handshakes already under way, a listener answers a new connection from
    /// an address that has not proved it receives there with a Retry (a round trip with a
    /// token): replayed or spoofed Initial packets then cost it nothing. Zero retries always.
    pub retry_above: usize,
    /// Most bytes the peer may send ahead of what this side has read (QUIC flow control):
    /// what one connection can make this side hold while its session is busy. Larger lets a
    /// session move more over a long, fast path; quinn's own default is 1.25 MB.
    pub receive_window: u32,
    /// Most bytes this side keeps sent but not yet acknowledged (held for retransmission):
    /// what a peer that never acknowledges can make this side hold. quinn's default is 10 MB.
    pub send_window: u32,
}

impl Default for QuicOptions {
    fn default() -> Self {
        Self {
            max_frame: DEFAULT_MAX_FRAME,
            idle_timeout: Duration::from_secs(15),
            keep_alive: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            access_token: None,
            renew_endpoint_after: 1_000,
            retry_above: 16,
            // A full batch of replies (64 device lists) fits many times over.
            receive_window: 256 * 1024,
            send_window: 1024 * 1024,
        }
    }
}

impl QuicOptions {
    pub(crate) fn transport_config(
        &self,
    ) -> Result<quinn::TransportConfig, plugwire_core::TransportError> {
        let mut config = quinn::TransportConfig::default();
        let idle = if self.idle_timeout.is_zero() {
            None
        } else {
            Some(
                quinn::IdleTimeout::try_from(self.idle_timeout).map_err(|e| {
                    plugwire_core::TransportError::Config(format!("idle timeout: {e}"))
                })?,
            )
        };
        config.max_idle_timeout(idle);
        config.keep_alive_interval(Some(self.keep_alive));
        // One session, one stream: the peer needs no more.
        config.max_concurrent_bidi_streams(1u32.into());
        config.max_concurrent_uni_streams(0u32.into());
        // Nothing here reads unreliable datagrams. Left at quinn's default, a peer could park
        // 1.25 MB of them in every connection for as long as it stays open, outside
        // `max_frame`; refused, sending one is a protocol violation that ends the connection.
        config.datagram_receive_buffer_size(None);
        // One stream per connection: its window and the connection's are the same limit.
        config.stream_receive_window(self.receive_window.into());
        config.receive_window(self.receive_window.into());
        config.send_window(self.send_window.into());
        Ok(config)
    }
}

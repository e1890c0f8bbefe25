//! The transport seam: any duplex stream of frames, and the things that establish one.

use std::future::Future;

use futures::{Sink, Stream};

use crate::{Frame, TransportError};

/// A connection that moves whole frames both ways.
///
/// Anything that is a `Stream` of incoming frames and a `Sink` for outgoing ones is a transport
/// (blanket impl), whether it was dialled or accepted: the Buttplug role on top is independent
/// of the transport role underneath.
pub trait Transport:
    Stream<Item = Result<Frame, TransportError>>
    + Sink<Frame, Error = TransportError>
    + Send
    + Unpin
    + 'static
{
}

impl<T> Transport for T where
    T: Stream<Item = Result<Frame, TransportError>>
        + Sink<Frame, Error = TransportError>
        + Send
        + Unpin
        + 'static
{
}

/// A transport of any kind behind one type, for code that picks the kind at run time (from a
/// connection URL). A boxed transport is itself a [`Transport`].
pub type BoxTransport = Box<dyn Transport>;

/// Produces transports: by dialling out (client side) or by accepting (server side).
///
/// A connector keeps its `Establish` so it can make a fresh transport to reconnect.
pub trait Establish: Send + 'static {
    /// The transport produced.
    type Transport: Transport;

    /// Dials or accepts one connection.
    fn establish(&mut self)
    -> impl Future<Output = Result<Self::Transport, TransportError>> + Send;

    /// Where this establishes connections to or from, for logs.
    fn describe(&self) -> String;
}

/// Accepts many connections (the serving side of a transport).
///
/// Accepting is split in two so an accept loop never waits on one peer's slow handshake:
/// [`Listener::accept`] returns as soon as a peer arrives, with a future that completes the
/// transport's own handshake (WebSocket upgrade, QUIC handshake) separately.
pub trait Listener: Send + Sync + 'static {
    /// The transport produced.
    type Transport: Transport;
    /// Completes one accepted connection.
    type Pending: Future<Output = Result<Self::Transport, TransportError>> + Send + 'static;

    /// Waits for the next peer; returns its handshake and a description of it for logs.
    fn accept(
        &self,
    ) -> impl Future<Output = Result<(Self::Pending, String), TransportError>> + Send;

    /// What this listens on, as a connection URL where possible (`ws://127.0.0.1:12345`).
    fn describe(&self) -> String;
}

/// Establishes transports by accepting one connection at a time from a listener: the
/// reversed-role set-up, where a Buttplug client waits for a server to dial in.
pub struct AcceptOne<L>(pub L);

impl<L: Listener> Establish for AcceptOne<L> {
    type Transport = L::Transport;

    async fn establish(&mut self) -> Result<Self::Transport, TransportError> {
        let (pending, _) = self.0.accept().await?;
        pending.await
    }

    fn describe(&self) -> String {
        format!("{} (waiting for the server to dial in)", self.0.describe())
    }
}

/// Escapes what would change a connection URL's meaning (`%`, `?`, `&`, `#`, `=`, spaces,
/// control characters), so a transport describing where it listens prints a URL that parses
/// back to the same place.
pub fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '?' | '&' | '#' | '=' | ' ') || c.is_ascii_control() {
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

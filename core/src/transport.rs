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

//! Links: a transport and a serializer joined into a duplex of message batches.
//!
//! A link is a `Stream` of [`Inbound`] batches and a `Sink` of outgoing batches. Clients and
//! servers are written against links, so a remote link (frames over a transport) and an
//! in-process link (values over channels) are interchangeable.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{Sink, Stream};
use serde::de::DeserializeOwned;

use crate::message::Lenient;
use crate::{ConnectorError, Decoded, Frame, Outgoing, Serializer, Transport, TransportError};

/// One incoming frame's worth of messages: each decoded on its own, plus what went wrong in
/// the frame after them (bad syntax, not an array, wrong frame kind), if anything.
pub type Inbound<M> = Decoded<Lenient<M>>;

/// Anything that carries batches of `Out` one way and yields batches of `In` the other.
pub trait Link<In, Out>:
    Stream<Item = Result<Inbound<In>, TransportError>>
    + Sink<Vec<Out>, Error = ConnectorError>
    + Send
    + Unpin
    + 'static
{
}

impl<T, In, Out> Link<In, Out> for T where
    T: Stream<Item = Result<Inbound<In>, TransportError>>
        + Sink<Vec<Out>, Error = ConnectorError>
        + Send
        + Unpin
        + 'static
{
}

/// A transport whose frames are encoded and decoded by a serializer.
pub struct FramedLink<T, S, In, Out> {
    transport: T,
    serializer: Arc<S>,
    _messages: PhantomData<fn(Out) -> In>,
}

impl<T, S, In, Out> FramedLink<T, S, In, Out> {
    /// Joins `transport` and `serializer`.
    pub fn new(transport: T, serializer: Arc<S>) -> Self {
        Self {
            transport,
            serializer,
            _messages: PhantomData,
        }
    }

    /// The serializer in use.
    pub fn serializer(&self) -> &Arc<S> {
        &self.serializer
    }
}

impl<T, S, In, Out> Stream for FramedLink<T, S, In, Out>
where
    T: Transport,
    S: Serializer,
    In: DeserializeOwned,
{
    type Item = Result<Inbound<In>, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        Pin::new(&mut this.transport).poll_next(cx).map(|item| {
            item.map(|frame| frame.map(|frame| decode_inbound(this.serializer.as_ref(), &frame)))
        })
    }
}

impl<T, S, In, Out> Sink<Vec<Out>> for FramedLink<T, S, In, Out>
where
    T: Transport,
    S: Serializer,
    Out: Outgoing,
{
    type Error = ConnectorError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().transport)
            .poll_ready(cx)
            .map_err(disconnected)
    }

    fn start_send(self: Pin<&mut Self>, batch: Vec<Out>) -> Result<(), Self::Error> {
        let this = self.get_mut();
        let frame = Out::encode_batch(this.serializer.as_ref(), &batch)
            .map_err(ConnectorError::Serialize)?;
        Pin::new(&mut this.transport)
            .start_send(frame)
            .map_err(|error| match error {
                // Refused before anything was written: only this batch is lost.
                TransportError::FrameTooLarge { .. } => ConnectorError::Oversized(error),
                other => disconnected(other),
            })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().transport)
            .poll_flush(cx)
            .map_err(disconnected)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().transport)
            .poll_close(cx)
            .map_err(disconnected)
    }
}

/// Decodes a frame into messages each decoded on its own.
///
/// Well-formed frames take the fast path (typed decoding of the whole batch); only a frame
/// with a fault is decoded again message by message, buffering each one so a bad message can
/// still be answered with its Id while the good ones go through.
pub fn decode_inbound<S: Serializer, M: DeserializeOwned>(
    serializer: &S,
    frame: &Frame,
) -> Inbound<M> {
    let fast = serializer.decode::<M>(frame);
    if fast.error.is_none() {
        return Decoded::complete(fast.messages.into_iter().map(Lenient::Valid).collect());
    }
    serializer.decode::<Lenient<M>>(frame)
}

/// A transport failure while sending means the link is gone.
pub fn disconnected(error: TransportError) -> ConnectorError {
    ConnectorError::Disconnected(Some(Arc::new(error)))
}

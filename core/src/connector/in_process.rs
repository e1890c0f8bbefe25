//! In-process connections: client and server in one process, message values over channels,
//! no serialization.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{FutureExt, Sink, Stream};
use tokio::sync::mpsc;

use super::{Connection, Connector};
use crate::link::Inbound;
use crate::message::{
    AnyClientMessage, ClientMessage, InvalidMessage, Lenient, ServerMessage, VersionedServerMessage,
};
use crate::{ConnectorError, TransportError};

/// One end of an in-process link: sends batches of `Out`, receives batches of `In`.
pub struct ChannelLink<In, Out> {
    incoming: mpsc::UnboundedReceiver<Vec<Lenient<In>>>,
    outgoing: Option<mpsc::UnboundedSender<Vec<Out>>>,
}

/// The client's end of an in-process link.
pub type InProcessClientEnd = ChannelLink<ServerMessage, ClientMessage>;

/// The server's end: give it to the server to run a session on.
pub struct InProcessServerEnd {
    incoming: mpsc::UnboundedReceiver<Vec<ClientMessage>>,
    outgoing: Option<mpsc::UnboundedSender<Vec<Lenient<ServerMessage>>>>,
}

/// A connected pair of in-process ends.
pub fn in_process_pair() -> (InProcessClientEnd, InProcessServerEnd) {
    let (to_server, from_client) = mpsc::unbounded_channel();
    let (to_client, from_server) = mpsc::unbounded_channel();
    (
        ChannelLink {
            incoming: from_server,
            outgoing: Some(to_server),
        },
        InProcessServerEnd {
            incoming: from_client,
            outgoing: Some(to_client),
        },
    )
}

impl<In: Send + 'static, Out: Send + 'static> Stream for ChannelLink<In, Out> {
    type Item = Result<Inbound<In>, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .incoming
            .poll_recv(cx)
            .map(|batch| batch.map(|batch| Ok(Inbound::complete(batch))))
    }
}

impl<In: Send + 'static, Out: Send + 'static> Sink<Vec<Out>> for ChannelLink<In, Out> {
    type Error = ConnectorError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, batch: Vec<Out>) -> Result<(), Self::Error> {
        let sender = self
            .get_mut()
            .outgoing
            .as_ref()
            .ok_or(ConnectorError::NotConnected)?;
        sender
            .send(batch)
            .map_err(|_| ConnectorError::Disconnected(Some(Arc::new(TransportError::Closed))))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().outgoing = None;
        Poll::Ready(Ok(()))
    }
}

impl Stream for InProcessServerEnd {
    type Item = Result<Inbound<AnyClientMessage>, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().incoming.poll_recv(cx).map(|batch| {
            batch.map(|batch| {
                Ok(Inbound::complete(
                    batch
                        .into_iter()
                        .map(|m| Lenient::Valid(m.into()))
                        .collect(),
                ))
            })
        })
    }
}

impl Sink<Vec<VersionedServerMessage>> for InProcessServerEnd {
    type Error = ConnectorError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(
        self: Pin<&mut Self>,
        batch: Vec<VersionedServerMessage>,
    ) -> Result<(), Self::Error> {
        let sender = self
            .get_mut()
            .outgoing
            .as_ref()
            .ok_or(ConnectorError::NotConnected)?;
        // In-process clients speak v4; anything else would be a server bug, reported as such.
        let batch = batch
            .into_iter()
            .map(|m| match m.into_v4() {
                Some(m) => Lenient::Valid(m),
                None => Lenient::Invalid(InvalidMessage {
                    id: None,
                    name: None,
                    error: Arc::new(TransportError::InvalidFrame(
                        "server answered an in-process client in an older spec version".into(),
                    )),
                }),
            })
            .collect();
        sender
            .send(batch)
            .map_err(|_| ConnectorError::Disconnected(Some(Arc::new(TransportError::Closed))))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().outgoing = None;
        Poll::Ready(Ok(()))
    }
}

/// Something that runs a server session on an in-process end (the server implements this).
pub trait InProcessAcceptor: Send + Sync + 'static {
    /// Starts a session on `end`.
    fn accept_in_process(&self, end: InProcessServerEnd);
}

/// Connects a client to a server in the same process, with no serialization.
pub struct InProcessConnector {
    server: Arc<dyn InProcessAcceptor>,
}

impl InProcessConnector {
    /// A connector to `server`.
    pub fn new(server: Arc<dyn InProcessAcceptor>) -> Self {
        Self { server }
    }
}

impl Connector for InProcessConnector {
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>> {
        async move {
            let (client_end, server_end) = in_process_pair();
            self.server.accept_in_process(server_end);
            Ok(Connection::spawn(client_end))
        }
        .boxed()
    }

    fn describe(&self) -> String {
        "in-process".to_owned()
    }
}

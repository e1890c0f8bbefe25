//! `Connection`: one live client link, with Id matching and event delivery.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::link::Link;
use crate::message::{ClientMessage, Lenient, MessageId, ServerMessage};
use crate::{ConnectorError, TransportError};

/// What a connection reports besides replies.
#[derive(Debug)]
pub enum ConnectionEvent {
    /// A message the server sent on its own (Id 0), or a reply nobody waits for.
    Message(ServerMessage),
    /// The link is gone; no more events follow. `None` when this side closed it.
    Closed(Option<Arc<TransportError>>),
}

enum Command {
    Request(
        ClientMessage,
        oneshot::Sender<Result<ServerMessage, ConnectorError>>,
    ),
    Close(oneshot::Sender<()>),
}

/// Sends requests over a connection; cheap to clone, shared by device handles.
#[derive(Clone, Debug)]
pub struct RequestSender {
    commands: mpsc::UnboundedSender<Command>,
    /// Why the link ended, once it has: set before the driver stops taking requests, so a
    /// request that comes too late still learns the reason (a server that refused the
    /// connection at once, say) rather than only "not connected".
    ended: Arc<OnceLock<Option<Arc<TransportError>>>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Request(m, _) => write!(f, "Request({m:?})"),
            Self::Close(_) => f.write_str("Close"),
        }
    }
}

impl RequestSender {
    /// Sends `message` (its Id is replaced by the connection's next) and waits for the reply.
    ///
    /// Fails at once with [`ConnectorError::Disconnected`] if the link drops first.
    pub async fn request(&self, message: ClientMessage) -> Result<ServerMessage, ConnectorError> {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Request(message, reply))
            .is_err()
        {
            return Err(self.gone());
        }
        answer.await.unwrap_or_else(|_| Err(self.gone()))
    }

    /// The error for a request the driver will never answer: the link's failure if it
    /// failed, else "not connected" (closed by this side, or every handle dropped).
    fn gone(&self) -> ConnectorError {
        match self.ended.get() {
            Some(Some(reason)) => ConnectorError::Disconnected(Some(reason.clone())),
            _ => ConnectorError::NotConnected,
        }
    }

    /// Closes the link and waits until it is closed.
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.commands.send(Command::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }

    /// Whether the link is still up.
    pub fn is_connected(&self) -> bool {
        !self.commands.is_closed()
    }
}

/// A live connection: a request sender and the stream of events.
#[derive(Debug)]
pub struct Connection {
    /// Sends requests.
    pub requests: RequestSender,
    /// Events: server messages with Id 0, then a final [`ConnectionEvent::Closed`].
    pub events: mpsc::UnboundedReceiver<ConnectionEvent>,
}

impl Connection {
    /// Starts driving `link` on the current tokio runtime.
    pub fn spawn<L: Link<ServerMessage, ClientMessage>>(link: L) -> Self {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let ended = Arc::new(OnceLock::new());
        tokio::spawn(drive(link, command_rx, event_tx, ended.clone()));
        Self {
            requests: RequestSender { commands, ended },
            events,
        }
    }
}

/// Longest a single send may take before the link counts as dead (the peer stopped reading).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest the closing handshake may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

type Pending = HashMap<MessageId, oneshot::Sender<Result<ServerMessage, ConnectorError>>>;

async fn drive<L: Link<ServerMessage, ClientMessage>>(
    mut link: L,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<ConnectionEvent>,
    ended: Arc<OnceLock<Option<Arc<TransportError>>>>,
) {
    let mut pending = Pending::new();
    let mut last_id: MessageId = 0;
    let reason = loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Request(mut message, reply)) => {
                    last_id = next_id(last_id, &pending);
                    message.set_id(last_id);
                    let sent = tokio::time::timeout(SEND_TIMEOUT, link.send(vec![message])).await;
                    match sent.unwrap_or(Err(ConnectorError::Disconnected(Some(Arc::new(
                        TransportError::TimedOut { what: "sending to the server" },
                    ))))) {
                        Ok(()) => {
                            pending.insert(last_id, reply);
                        }
                        // This request could not go out; the link is still fine.
                        Err(error @ (ConnectorError::Serialize(_) | ConnectorError::Oversized(_))) => {
                            let _ = reply.send(Err(error));
                        }
                        Err(ConnectorError::Disconnected(error)) => {
                            let _ = reply.send(Err(ConnectorError::Disconnected(error.clone())));
                            break error;
                        }
                        Err(other) => {
                            let _ = reply.send(Err(other));
                            break None;
                        }
                    }
                }
                Some(Command::Close(done)) => {
                    let _ = tokio::time::timeout(CLOSE_TIMEOUT, link.close()).await;
                    fail_all(&mut pending, None);
                    let _ = events.send(ConnectionEvent::Closed(None));
                    let _ = done.send(());
                    return;
                }
                // Every sender is gone: nobody can use the connection any more.
                None => break None,
            },
            item = link.next() => match item {
                Some(Ok(inbound)) => {
                    deliver(inbound.messages, &mut pending, &events);
                    if let Some(error) = inbound.error {
                        warn!(%error, "server sent a frame that does not decode");
                        // A reply whose Id is still readable fails its request rather than
                        // leaving it waiting.
                        if let Some(reply) = error.request_id().and_then(|id| pending.remove(&id)) {
                            let _ = reply.send(Err(ConnectorError::Serialize(error)));
                        }
                    }
                }
                Some(Err(error)) => break Some(Arc::new(error)),
                None => break Some(Arc::new(TransportError::Closed)),
            },
        }
    };
    debug!(reason = ?reason, "connection ended");
    let _ = ended.set(reason.clone());
    // Tell the peer we are going (a close frame, not a reset), but never wait long on a link
    // that is failing.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, link.close()).await;
    fail_all(&mut pending, reason.clone());
    let _ = events.send(ConnectionEvent::Closed(reason));
}

fn deliver(
    batch: Vec<Lenient<ServerMessage>>,
    pending: &mut Pending,
    events: &mpsc::UnboundedSender<ConnectionEvent>,
) {
    for message in batch {
        match message {
            Lenient::Valid(message) => match pending.remove(&message.id()) {
                Some(reply) if message.id() != 0 => {
                    let _ = reply.send(Ok(message));
                }
                _ => {
                    let _ = events.send(ConnectionEvent::Message(message));
                }
            },
            Lenient::Invalid(invalid) => {
                warn!(name = ?invalid.name, id = ?invalid.id, error = %invalid.error,
                    "server sent a message that does not decode");
                if let Some(reply) = invalid.id.and_then(|id| pending.remove(&id)) {
                    let error = crate::SerializeError::Malformed {
                        id: invalid.id,
                        source: Box::new(invalid.error),
                    };
                    let _ = reply.send(Err(ConnectorError::Serialize(error)));
                }
            }
        }
    }
}

fn fail_all(pending: &mut Pending, reason: Option<Arc<TransportError>>) {
    for (_, reply) in pending.drain() {
        let _ = reply.send(Err(ConnectorError::Disconnected(reason.clone())));
    }
}

/// The next Id after `last`: never 0 (reserved for events), never one still in flight.
fn next_id(last: MessageId, pending: &Pending) -> MessageId {
    let mut id = last;
    loop {
        id = id.wrapping_add(1);
        if id != 0 && !pending.contains_key(&id) {
            return id;
        }
    }
}

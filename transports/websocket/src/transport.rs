//! `WebSocketTransport`: a WebSocket connection as a duplex of frames.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::{Sink, Stream};
use plugwire_core::{Frame, TransportError};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tracing::debug;

/// One WebSocket connection, dialled or accepted.
pub struct WebSocketTransport {
    socket: WebSocketStream<TcpStream>,
    max_message_size: usize,
    /// A close frame still to be sent (set when the peer sent an oversized message).
    close_to_send: Option<CloseFrame>,
    peer: String,
}

impl WebSocketTransport {
    pub(crate) fn new(
        socket: WebSocketStream<TcpStream>,
        max_message_size: usize,
        peer: String,
    ) -> Self {
        Self {
            socket,
            max_message_size,
            close_to_send: None,
            peer,
        }
    }

    /// The address of the other end.
    pub fn peer(&self) -> &str {
        &self.peer
    }
}

fn map_error(error: WsError) -> Option<TransportError> {
    match error {
        // A closed connection is the end of the stream, not a failure.
        WsError::ConnectionClosed | WsError::AlreadyClosed => None,
        other => Some(TransportError::io(other)),
    }
}

impl Stream for WebSocketTransport {
    type Item = Result<Frame, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let message = match ready!(Pin::new(&mut this.socket).poll_next(cx)) {
                None => return Poll::Ready(None),
                Some(Ok(message)) => message,
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                    debug!(peer = %this.peer, size, max_size, "refusing oversized message");
                    this.close_to_send = Some(CloseFrame {
                        code: CloseCode::Size,
                        reason: Utf8Bytes::from(format!("message exceeds {max_size} bytes")),
                    });
                    return Poll::Ready(Some(Err(TransportError::FrameTooLarge {
                        size,
                        max: max_size,
                    })));
                }
                Some(Err(error)) => return Poll::Ready(map_error(error).map(Err)),
            };
            return Poll::Ready(Some(Ok(match message {
                Message::Text(text) => Frame::Text(Bytes::from(text)),
                Message::Binary(bytes) => Frame::Binary(bytes),
                // tungstenite answers pings and close frames itself.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                Message::Close(_) => return Poll::Ready(None),
            })));
        }
    }
}

impl Sink<Frame> for WebSocketTransport {
    type Error = TransportError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().socket)
            .poll_ready(cx)
            .map_err(|e| map_error(e).unwrap_or(TransportError::Closed))
    }

    fn start_send(self: Pin<&mut Self>, frame: Frame) -> Result<(), Self::Error> {
        let this = self.get_mut();
        if frame.len() > this.max_message_size {
            return Err(TransportError::FrameTooLarge {
                size: frame.len(),
                max: this.max_message_size,
            });
        }
        let message = match frame {
            Frame::Text(bytes) => {
                Message::Text(Utf8Bytes::try_from(bytes).map_err(TransportError::io)?)
            }
            Frame::Binary(bytes) => Message::Binary(bytes),
        };
        Pin::new(&mut this.socket)
            .start_send(message)
            .map_err(|e| map_error(e).unwrap_or(TransportError::Closed))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().socket)
            .poll_flush(cx)
            .map_err(|e| map_error(e).unwrap_or(TransportError::Closed))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        if this.close_to_send.is_some() {
            let socket = Pin::new(&mut this.socket);
            match ready!(socket.poll_ready(cx)) {
                Ok(()) => {
                    let frame = this.close_to_send.take();
                    if let Err(error) = Pin::new(&mut this.socket).start_send(Message::Close(frame))
                    {
                        return Poll::Ready(map_error(error).map_or(Ok(()), Err));
                    }
                }
                Err(error) => {
                    this.close_to_send = None;
                    return Poll::Ready(map_error(error).map_or(Ok(()), Err));
                }
            }
        }
        Pin::new(&mut this.socket)
            .poll_close(cx)
            .map(|r| r.map_err(map_error).or_else(|e| e.map_or(Ok(()), Err)))
    }
}

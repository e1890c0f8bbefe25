//! `WebSocketTransport`: a WebSocket connection as a duplex of frames.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures::{Sink, Stream};
use plugwire_core::{Frame, TransportError};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tracing::debug;

use crate::stream::MaybeTls;

/// How long, and how much, to read and discard after refusing a message, so the socket closes
/// with a FIN rather than a reset that could destroy the Error and Close just sent.
const DRAIN_TIME: Duration = Duration::from_millis(500);
const DRAIN_BYTES: usize = 64 * 1024 * 1024;

/// One WebSocket connection, dialled or accepted.
pub struct WebSocketTransport {
    socket: WebSocketStream<MaybeTls>,
    max_message_size: usize,
    /// A close frame still to be sent: the peer broke a rule (an oversized message, text that
    /// is not UTF-8). What it still sends is drained after the close.
    refusal: Option<CloseFrame>,
    drain: Option<Drain>,
    /// Whether the WebSocket closing frame went out.
    closed: bool,
    peer: String,
    /// Watching that the peer is alive, unless liveness is off.
    liveness: Option<Liveness>,
}

/// When the peer was last heard from, and what to do about silence: a Ping after half the
/// window, the end of the connection after all of it.
struct Liveness {
    window: Duration,
    heard: Instant,
    pinged: bool,
    timer: Pin<Box<Sleep>>,
}

/// Reading and discarding what the peer still sends after a refusal.
struct Drain {
    deadline: Pin<Box<Sleep>>,
    remaining: usize,
    shut_down: bool,
}

impl WebSocketTransport {
    pub(crate) fn new(
        socket: WebSocketStream<MaybeTls>,
        max_message_size: usize,
        liveness_timeout: Duration,
        peer: String,
    ) -> Self {
        let liveness = (!liveness_timeout.is_zero()).then(|| Liveness {
            window: liveness_timeout,
            heard: Instant::now(),
            pinged: false,
            timer: Box::pin(tokio::time::sleep(liveness_timeout / 2)),
        });
        Self {
            socket,
            max_message_size,
            refusal: None,
            drain: None,
            closed: false,
            peer,
            liveness,
        }
    }

    /// While nothing arrives: pings a peer silent for half the window, and gives up on one
    /// silent for all of it. `Ready` carries the verdict; `Pending` means wait (a timer is set).
    fn poll_silence(&mut self, cx: &mut Context<'_>) -> Poll<TransportError> {
        let Some(liveness) = &mut self.liveness else {
            return Poll::Pending;
        };
        loop {
            let silent = liveness.heard.elapsed();
            if silent >= liveness.window {
                debug!(peer = %self.peer, window = ?liveness.window, "the peer went silent");
                return Poll::Ready(TransportError::Silent(liveness.window));
            }
            if !liveness.pinged && silent >= liveness.window / 2 {
                // Sent if the socket can take it now; if not, the next wake tries again.
                if let Poll::Ready(Ok(())) = Pin::new(&mut self.socket).poll_ready(cx)
                    && Pin::new(&mut self.socket)
                        .start_send(Message::Ping(Bytes::new()))
                        .is_ok()
                {
                    liveness.pinged = true;
                    let _ = Pin::new(&mut self.socket).poll_flush(cx);
                }
            }
            let next = if liveness.pinged {
                liveness.heard + liveness.window
            } else {
                liveness.heard + liveness.window / 2
            };
            liveness.timer.as_mut().reset(next);
            if liveness.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }

    /// Something arrived: the peer is alive.
    fn heard(&mut self) {
        if let Some(liveness) = &mut self.liveness {
            liveness.heard = Instant::now();
            liveness.pinged = false;
        }
    }

    /// The address of the other end.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    fn refuse(&mut self, code: CloseCode, reason: String) {
        self.refusal = Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason),
        });
    }

    /// After a refusal: shut our side, then read and discard until the peer closes, the time
    /// runs out, or enough bytes went by.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(drain) = &mut self.drain else {
            return Poll::Ready(());
        };
        let tcp = self.socket.get_mut();
        if !drain.shut_down {
            if Pin::new(&mut *tcp).poll_shutdown(cx).is_pending() {
                return Poll::Pending;
            }
            drain.shut_down = true;
        }
        let mut buffer = [0u8; 8192];
        while drain.remaining > 0 && drain.deadline.as_mut().poll(cx).is_pending() {
            let mut read = ReadBuf::new(&mut buffer);
            match Pin::new(&mut *tcp).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) if !read.filled().is_empty() => {
                    drain.remaining = drain.remaining.saturating_sub(read.filled().len());
                }
                // End of stream or an error: nothing more to drain.
                Poll::Ready(_) => break,
            }
        }
        self.drain = None;
        Poll::Ready(())
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
            let next = match Pin::new(&mut this.socket).poll_next(cx) {
                Poll::Ready(next) => next,
                Poll::Pending => return this.poll_silence(cx).map(|e| Some(Err(e))),
            };
            this.heard();
            let message = match next {
                None => return Poll::Ready(None),
                Some(Ok(message)) => message,
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                    debug!(peer = %this.peer, size, max_size, "refusing an oversized message");
                    this.refuse(CloseCode::Size, format!("message exceeds {max_size} bytes"));
                    return Poll::Ready(Some(Err(TransportError::FrameTooLarge {
                        size,
                        max: max_size,
                    })));
                }
                Some(Err(WsError::Utf8(what))) => {
                    debug!(peer = %this.peer, %what, "refusing a text frame that is not UTF-8");
                    this.refuse(CloseCode::Invalid, "text frame is not UTF-8".to_owned());
                    return Poll::Ready(Some(Err(TransportError::InvalidFrame(format!(
                        "text frame is not UTF-8: {what}"
                    )))));
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
            // Text frames are UTF-8 by `Frame::Text`'s contract; checking every outgoing one
            // again (as `Message::Text` does) cost about a tenth of a device-list reply.
            Frame::Text(bytes) => {
                debug_assert!(std::str::from_utf8(&bytes).is_ok(), "Frame::Text not UTF-8");
                Message::Frame(WsFrame::message(bytes, OpCode::Data(Data::Text), true))
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
        if this.refusal.is_some() {
            match ready!(Pin::new(&mut this.socket).poll_ready(cx)) {
                Ok(()) => {
                    let frame = this.refusal.take();
                    if let Err(error) = Pin::new(&mut this.socket).start_send(Message::Close(frame))
                    {
                        return Poll::Ready(map_error(error).map_or(Ok(()), Err));
                    }
                    this.drain = Some(Drain {
                        deadline: Box::pin(tokio::time::sleep(DRAIN_TIME)),
                        remaining: DRAIN_BYTES,
                        shut_down: false,
                    });
                }
                Err(error) => {
                    this.refusal = None;
                    return Poll::Ready(map_error(error).map_or(Ok(()), Err));
                }
            }
        }
        if !this.closed {
            let closed = ready!(Pin::new(&mut this.socket).poll_close(cx));
            this.closed = true;
            if let Some(error) = closed.err().and_then(map_error)
                && this.drain.is_none()
            {
                return Poll::Ready(Err(error));
            }
        }
        ready!(this.poll_drain(cx));
        Poll::Ready(Ok(()))
    }
}

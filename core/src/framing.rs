//! Length-delimited framing for byte-stream transports (Unix sockets, named pipes, QUIC
//! streams): each frame is a big-endian u32 length and that many bytes.
//!
//! A length-delimited frame has no text/binary flag on the wire. A frame that starts with a
//! MessagePack array marker (0x90–0x9f, 0xdc, 0xdd) arrives as [`Frame::Binary`]; otherwise a
//! frame whose bytes are UTF-8 arrives as [`Frame::Text`] (every JSON frame), any other as
//! binary.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures::{Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, Sleep};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

use crate::{Frame, TransportError};

/// Default largest frame on byte-stream transports: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;

/// Initial read (and write) buffer: a typical request batch fits; both grow to the frames
/// that arrive or are written. Small, because an idle session keeps them for its whole life
/// (2 KiB each cost IPC sessions 2.4 KiB more in the load example).
const INITIAL_READ_BUFFER: usize = 512;
/// Room made before reading while frames arrive, so a burst of pipelined requests comes in
/// with few reads (with 512 bytes, 32 requests in flight took several reads per batch and
/// about 1 µs more CPU per request on IPC). The room is given back when the stream goes
/// quiet with nothing buffered, so an idle session holds no read buffer at all.
const READ_ROOM: usize = 4 * 1024;
/// Replies gathered before a write happens without a flush: batching many small replies into
/// one write, while the buffer itself grows only with what is written.
const WRITE_BATCH: usize = 64 * 1024;
/// A buffer grown past this by a large frame is given back once it is empty again, so one
/// big message does not cost an idle session memory for the rest of its life.
const SHRINK_ABOVE: usize = 64 * 1024;

/// A byte stream carrying length-delimited frames.
pub struct LengthDelimited<S> {
    framed: Framed<S, LengthDelimitedCodec>,
    max_frame: usize,
    heartbeat: Option<Heartbeat>,
}

/// Liveness between two plugwire peers on a byte stream: each side sends an empty frame (a
/// heartbeat, never passed on as a frame) when it has sent nothing for a third of the window,
/// and a peer heard nothing from for the whole window is gone.
struct Heartbeat {
    window: Duration,
    heard: Instant,
    sent: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<S: AsyncRead + AsyncWrite> LengthDelimited<S> {
    /// Frames `stream`, refusing frames over `max_frame` bytes in either direction.
    pub fn new(stream: S, max_frame: usize) -> Self {
        let codec = LengthDelimitedCodec::builder()
            .big_endian()
            .length_field_type::<u32>()
            .max_frame_length(max_frame)
            .new_codec();
        let mut framed = Framed::with_capacity(stream, codec, INITIAL_READ_BUFFER);
        framed.set_backpressure_boundary(WRITE_BATCH);
        Self {
            framed,
            max_frame,
            heartbeat: None,
        }
    }

    /// Adds heartbeats: an empty frame after a third of `window` without sending, and
    /// [`TransportError::Silent`] after `window` without hearing anything. Both ends must be
    /// plugwire (an empty frame means nothing to anyone else). Zero leaves it off.
    pub fn with_heartbeat(mut self, window: Duration) -> Self {
        if !window.is_zero() {
            let now = Instant::now();
            self.heartbeat = Some(Heartbeat {
                window,
                heard: now,
                sent: now,
                timer: Box::pin(tokio::time::sleep(window / 3)),
            });
        }
        self
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        self.framed.get_ref()
    }

    /// The underlying stream, giving up the framing (bytes buffered but not yet framed are
    /// dropped).
    pub fn into_inner(self) -> S {
        self.framed.into_inner()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> LengthDelimited<S> {
    /// While nothing arrives: sends a heartbeat when one is due, and gives up on a peer silent
    /// for the whole window. `Pending` means wait (a timer is set).
    fn poll_silence(&mut self, cx: &mut Context<'_>) -> Poll<TransportError> {
        loop {
            let Some(heartbeat) = &mut self.heartbeat else {
                return Poll::Pending;
            };
            let now = Instant::now();
            if now.duration_since(heartbeat.heard) >= heartbeat.window {
                return Poll::Ready(TransportError::Silent(heartbeat.window));
            }
            let beat = heartbeat.window / 3;
            if now.duration_since(heartbeat.sent) >= beat {
                let framed = Pin::new(&mut self.framed);
                if let Poll::Ready(Ok(())) = Sink::<Bytes>::poll_ready(framed, cx)
                    && Pin::new(&mut self.framed).start_send(Bytes::new()).is_ok()
                {
                    let _ = Sink::<Bytes>::poll_flush(Pin::new(&mut self.framed), cx);
                }
                // Tried now; if the socket was not ready, its wake brings us back.
                heartbeat.sent = now;
            }
            let next = (heartbeat.heard + heartbeat.window).min(heartbeat.sent + beat);
            heartbeat.timer.as_mut().reset(next);
            if heartbeat.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

impl<S> LengthDelimited<S> {
    fn map_error(&self, error: io::Error) -> TransportError {
        // The codec reports an over-long length prefix as InvalidData before reading the body.
        if error.kind() == io::ErrorKind::InvalidData
            && error
                .get_ref()
                .is_some_and(|inner| inner.is::<tokio_util::codec::LengthDelimitedCodecError>())
        {
            return TransportError::FrameTooLarge {
                size: 0,
                max: self.max_frame,
            };
        }
        match error.kind() {
            io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted => TransportError::Closed,
            _ => TransportError::io(error),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Stream for LengthDelimited<S> {
    type Item = Result<Frame, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let item = loop {
            let read_buffer = this.framed.read_buffer_mut();
            if read_buffer.capacity() - read_buffer.len() < READ_ROOM / 4 {
                read_buffer.reserve(READ_ROOM);
            }
            let item = match Pin::new(&mut this.framed).poll_next(cx) {
                Poll::Ready(item) => item,
                Poll::Pending => {
                    let read_buffer = this.framed.read_buffer_mut();
                    if read_buffer.is_empty() {
                        *read_buffer = bytes::BytesMut::new();
                    }
                    return this.poll_silence(cx).map(|e| Some(Err(e)));
                }
            };
            let Some(heartbeat) = &mut this.heartbeat else {
                break item;
            };
            heartbeat.heard = Instant::now();
            match item {
                // A heartbeat: the peer lives; nothing to pass on.
                Some(Ok(bytes)) if bytes.is_empty() => continue,
                other => break other,
            }
        };
        let read_buffer = this.framed.read_buffer_mut();
        if read_buffer.is_empty() && read_buffer.capacity() > SHRINK_ABOVE {
            *read_buffer = bytes::BytesMut::new();
        }
        Poll::Ready(item.map(|frame| match frame {
            Ok(bytes) => {
                let bytes = bytes.freeze();
                // MessagePack arrays start with 0x90–0x9f (never UTF-8), 0xdc or 0xdd (which
                // can begin UTF-8): a frame starting with one is binary whatever follows.
                let array_marker = matches!(bytes.first(), Some(0x90..=0x9f | 0xdc | 0xdd));
                Ok(if !array_marker && std::str::from_utf8(&bytes).is_ok() {
                    Frame::Text(bytes)
                } else {
                    Frame::Binary(bytes)
                })
            }
            Err(error) => Err(this.map_error(error)),
        }))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Sink<Frame> for LengthDelimited<S> {
    type Error = TransportError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        let this = self.get_mut();
        Sink::<Bytes>::poll_ready(Pin::new(&mut this.framed), cx).map_err(|e| this.map_error(e))
    }

    fn start_send(self: Pin<&mut Self>, frame: Frame) -> Result<(), TransportError> {
        let this = self.get_mut();
        if frame.len() > this.max_frame {
            return Err(TransportError::FrameTooLarge {
                size: frame.len(),
                max: this.max_frame,
            });
        }
        let bytes: Bytes = match frame {
            Frame::Text(bytes) | Frame::Binary(bytes) => bytes,
        };
        if let Some(heartbeat) = &mut this.heartbeat {
            heartbeat.sent = Instant::now();
        }
        Pin::new(&mut this.framed)
            .start_send(bytes)
            .map_err(|e| this.map_error(e))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        let this = self.get_mut();
        ready!(Sink::<Bytes>::poll_flush(Pin::new(&mut this.framed), cx))
            .map_err(|e| this.map_error(e))?;
        let write_buffer = this.framed.write_buffer_mut();
        if write_buffer.capacity() > SHRINK_ABOVE {
            *write_buffer = bytes::BytesMut::new();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        let this = self.get_mut();
        match ready!(Sink::<Bytes>::poll_close(Pin::new(&mut this.framed), cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(error) => match this.map_error(error) {
                // The peer may already be gone; closing is then done.
                TransportError::Closed => Poll::Ready(Ok(())),
                other => Poll::Ready(Err(other)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{FutureExt, SinkExt, StreamExt};
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn frames_round_trip_and_keep_their_kind() {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let mut left = LengthDelimited::new(a, 1024);
        let mut right = LengthDelimited::new(b, 1024);
        left.send(Frame::Text(Bytes::from_static(b"[{\"Ping\":{\"Id\":1}}]")))
            .await
            .expect("send");
        left.send(Frame::Binary(Bytes::from_static(&[0x91, 0x81, 0xa4])))
            .await
            .expect("send");
        assert_eq!(
            right.next().await.expect("frame").expect("ok"),
            Frame::Text(Bytes::from_static(b"[{\"Ping\":{\"Id\":1}}]"))
        );
        assert_eq!(
            right.next().await.expect("frame").expect("ok"),
            Frame::Binary(Bytes::from_static(&[0x91, 0x81, 0xa4]))
        );
    }

    #[tokio::test]
    async fn over_long_frames_are_refused_both_ways() {
        let (a, _b) = tokio::io::duplex(64 * 1024);
        let mut left = LengthDelimited::new(a, 16);
        let big = Frame::Binary(Bytes::from(vec![1u8; 17]));
        assert!(matches!(
            left.send(big).await,
            Err(TransportError::FrameTooLarge { size: 17, max: 16 })
        ));
        // A peer announcing a longer frame is refused before the body is read.
        let (mut writer, reader) = tokio::io::duplex(1024);
        let mut framed = LengthDelimited::new(reader, 16);
        writer
            .write_all(&100u32.to_be_bytes())
            .await
            .expect("write");
        assert!(matches!(
            framed.next().await,
            Some(Err(TransportError::FrameTooLarge { max: 16, .. }))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn heartbeats_keep_a_quiet_peer_alive_and_a_frozen_one_is_found_silent() {
        let window = Duration::from_secs(3);
        let (a, b) = tokio::io::duplex(64 * 1024);
        let mut left = LengthDelimited::new(a, 1024).with_heartbeat(window);
        let mut right = LengthDelimited::new(b, 1024).with_heartbeat(window);
        // Both sides listen and say nothing for four windows: heartbeats alone keep them
        // alive, and no heartbeat is ever passed on as a frame.
        let quiet = tokio::time::timeout(window * 4, async {
            tokio::select! {
                frame = left.next() => frame,
                frame = right.next() => frame,
            }
        })
        .await;
        assert!(quiet.is_err(), "nothing but heartbeats went by: {quiet:?}");
        // Now the right side freezes (is never polled again): the left finds it silent.
        let started = Instant::now();
        assert!(matches!(
            left.next().await,
            Some(Err(TransportError::Silent(w))) if w == window
        ));
        assert!(started.elapsed() <= window);
        drop(right);
    }

    #[tokio::test]
    async fn buffers_start_small_grow_for_a_big_frame_and_shrink_back() {
        let (a, b) = tokio::io::duplex(1024 * 1024);
        let mut left = LengthDelimited::new(a, 1024 * 1024);
        let mut right = LengthDelimited::new(b, 1024 * 1024);
        assert!(right.framed.read_buffer().capacity() <= INITIAL_READ_BUFFER * 2);
        // Waiting with nothing to read holds no read buffer.
        assert!(right.next().now_or_never().is_none());
        assert_eq!(right.framed.read_buffer().capacity(), 0);
        let big = Frame::Binary(Bytes::from(vec![0x90u8; 300 * 1024]));
        let (sent, received) = tokio::join!(left.send(big.clone()), right.next());
        sent.expect("send");
        assert_eq!(received.expect("frame").expect("ok"), big);
        // The frame itself went through whole; the buffers it grew are given back.
        assert!(left.framed.write_buffer().capacity() <= SHRINK_ABOVE);
        assert!(right.framed.read_buffer().capacity() <= SHRINK_ABOVE);
        // And a small frame still goes through afterwards.
        let small = Frame::Text(Bytes::from_static(b"[]"));
        left.send(small.clone()).await.expect("send");
        assert_eq!(right.next().await.expect("frame").expect("ok"), small);
    }

    #[tokio::test]
    async fn a_burst_of_frames_is_read_in_few_reads_and_the_room_is_given_back() {
        let (a, b) = tokio::io::duplex(1024 * 1024);
        let mut left = LengthDelimited::new(a, 1024);
        let mut right = LengthDelimited::new(b, 1024);
        // 32 requests of 38 bytes, as a pipelining client sends them: one write.
        let request = Frame::Text(Bytes::from_static(
            br#"[{"RequestDeviceList":{"Id":1234}}]"#,
        ));
        for _ in 0..32 {
            left.feed(request.clone()).await.expect("feed");
        }
        left.flush().await.expect("flush");
        assert_eq!(right.next().await.expect("frame").expect("ok"), request);
        // The first read took the whole burst: the other 31 are already buffered (with
        // 512 bytes of room it took a read for every dozen).
        assert_eq!(right.framed.read_buffer().len(), 31 * (4 + request.len()));
        for _ in 1..32 {
            let next = right.next().now_or_never();
            assert!(matches!(next, Some(Some(Ok(ref frame))) if *frame == request));
        }
        assert!(right.next().now_or_never().is_none());
        assert_eq!(right.framed.read_buffer().capacity(), 0);
    }

    #[tokio::test]
    async fn a_peer_vanishing_mid_frame_ends_the_stream_with_an_error() {
        let (mut writer, reader) = tokio::io::duplex(1024);
        let mut framed = LengthDelimited::new(reader, 1024);
        writer.write_all(&10u32.to_be_bytes()).await.expect("write");
        writer.write_all(b"abc").await.expect("write");
        drop(writer);
        assert!(matches!(framed.next().await, Some(Err(_))));
    }
}

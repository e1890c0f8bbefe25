//! Length-delimited framing for byte-stream transports (Unix sockets, named pipes, QUIC
//! streams): each frame is a big-endian u32 length and that many bytes.
//!
//! A length-delimited frame has no text/binary flag on the wire. A frame that starts with a
//! MessagePack array marker (0x90–0x9f, 0xdc, 0xdd) arrives as [`Frame::Binary`]; otherwise a
//! frame whose bytes are UTF-8 arrives as [`Frame::Text`] (every JSON frame), any other as
//! binary.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::{Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

use crate::{Frame, TransportError};

/// Default largest frame on byte-stream transports: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;

/// A byte stream carrying length-delimited frames.
pub struct LengthDelimited<S> {
    framed: Framed<S, LengthDelimitedCodec>,
    max_frame: usize,
}

impl<S: AsyncRead + AsyncWrite> LengthDelimited<S> {
    /// Frames `stream`, refusing frames over `max_frame` bytes in either direction.
    pub fn new(stream: S, max_frame: usize) -> Self {
        let codec = LengthDelimitedCodec::builder()
            .big_endian()
            .length_field_type::<u32>()
            .max_frame_length(max_frame)
            .new_codec();
        Self {
            framed: Framed::new(stream, codec),
            max_frame,
        }
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
        let item = ready!(Pin::new(&mut this.framed).poll_next(cx));
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
        Pin::new(&mut this.framed)
            .start_send(bytes)
            .map_err(|e| this.map_error(e))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        let this = self.get_mut();
        Sink::<Bytes>::poll_flush(Pin::new(&mut this.framed), cx).map_err(|e| this.map_error(e))
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
    use futures::{SinkExt, StreamExt};
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

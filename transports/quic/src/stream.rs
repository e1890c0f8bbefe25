//! `QuicStream`: one bidirectional QUIC stream as an `AsyncRead + AsyncWrite`, owning its
//! connection.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use quinn::{Connection, Endpoint, RecvStream, SendStream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long a closing side waits for the peer to read what it sent before closing.
const LINGER: Duration = Duration::from_secs(2);

/// The session's stream and the connection it lives on.
pub struct QuicStream {
    send: Option<SendStream>,
    recv: RecvStream,
    connection: Connection,
    /// The dialling side's own endpoint, kept alive with the connection.
    endpoint: Option<Endpoint>,
}

impl QuicStream {
    pub(crate) fn new(
        send: SendStream,
        recv: RecvStream,
        connection: Connection,
        endpoint: Option<Endpoint>,
    ) -> Self {
        Self {
            send: Some(send),
            recv,
            connection,
            endpoint,
        }
    }

    /// The peer's address.
    pub fn remote_address(&self) -> std::net::SocketAddr {
        self.connection.remote_address()
    }

    fn send(&mut self) -> io::Result<&mut SendStream> {
        self.send
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "stream closed"))
    }
}

impl AsyncRead for QuicStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        AsyncRead::poll_read(Pin::new(&mut self.get_mut().recv), cx, buf)
    }
}

impl AsyncWrite for QuicStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().send() {
            Ok(send) => AsyncWrite::poll_write(Pin::new(send), cx, buf),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().send() {
            Ok(send) => AsyncWrite::poll_flush(Pin::new(send), cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().send() {
            Ok(send) => AsyncWrite::poll_shutdown(Pin::new(send), cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl Drop for QuicStream {
    /// Finishes the stream and closes the connection once the peer has read everything (or
    /// after a short linger), so the last replies are not cut off by the close.
    fn drop(&mut self) {
        let Some(mut send) = self.send.take() else {
            return;
        };
        let connection = self.connection.clone();
        let endpoint = self.endpoint.take();
        let _ = send.finish();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let _ = tokio::time::timeout(LINGER, send.stopped()).await;
                    connection.close(0u32.into(), b"session ended");
                    if let Some(endpoint) = endpoint {
                        endpoint.wait_idle().await;
                    }
                });
            }
            Err(_) => connection.close(0u32.into(), b"session ended"),
        }
    }
}

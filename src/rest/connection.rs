//! One REST connection: HTTP/1.1 over the router (over TLS when the API has a certificate),
//! with the header and idle timeouts, closed at once when the accept loop needs its room, and
//! shut down gracefully with the server.
//!
//! The TLS handshake is part of the first request head: it runs under the same deadline (the
//! accept time plus the header timeout), and a connection still in it counts, for the
//! connection cap, as one that never completed a head.
//!
//! What a connection is doing is kept in its [`Activity`]: when a byte last moved, whether a
//! request is under way (from its complete head until its answer's body is done), and when the
//! head now being read began. Its deadline follows from that:
//!
//! - no request completed yet: the accept time plus the header timeout;
//! - between requests, once a byte of the next head arrived: that byte's time plus the header
//!   timeout;
//! - between requests with nothing arrived, or during a request: the last byte moved either
//!   way plus the idle timeout (a peer that stopped reading its answer moves nothing).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use plugwire_core::sync::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::limits::Limits;

/// What one connection is doing, shared by its socket, its requests and the accept loop.
pub(crate) struct Activity {
    accepted: Instant,
    phase: Mutex<Phase>,
    /// Told when the deadline may have come closer (a head began), so the timer is set again.
    changed: Notify,
}

#[derive(Debug)]
struct Phase {
    /// When a byte last moved either way.
    last_progress: Instant,
    /// Requests whose head is complete and whose answer is not yet all handed over.
    in_flight: u32,
    /// When the first byte of the head being read arrived, between requests.
    head_started: Option<Instant>,
    /// Requests answered.
    served: u64,
}

/// How a connection that is not mid-request ranks for closing when room is needed: one that
/// never completed a request before any that did, then the longest waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct IdleRank {
    served_any: bool,
    since: Instant,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            accepted: now,
            phase: Mutex::new(Phase {
                last_progress: now,
                in_flight: 0,
                head_started: None,
                served: 0,
            }),
            changed: Notify::new(),
        })
    }

    /// Bytes arrived.
    fn read(&self) {
        let now = Instant::now();
        let mut phase = self.phase.lock();
        phase.last_progress = now;
        if phase.in_flight == 0 && phase.head_started.is_none() {
            phase.head_started = Some(now);
            drop(phase);
            self.changed.notify_one();
        }
    }

    /// Bytes left.
    fn wrote(&self) {
        self.phase.lock().last_progress = Instant::now();
    }

    /// A request's head is complete; it is under way until the returned guard drops.
    pub(crate) fn request_started(self: &Arc<Self>) -> InFlight {
        let mut phase = self.phase.lock();
        phase.in_flight += 1;
        phase.head_started = None;
        drop(phase);
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// When the connection is closed unless something happens first.
    fn deadline(&self, limits: &Limits) -> Instant {
        let phase = self.phase.lock();
        if phase.in_flight > 0 {
            return after(phase.last_progress, limits.idle_timeout);
        }
        match (phase.served, phase.head_started) {
            (0, _) => after(self.accepted, limits.header_timeout),
            (_, Some(started)) => after(started, limits.header_timeout),
            (_, None) => after(phase.last_progress, limits.idle_timeout),
        }
    }

    /// Its rank for closing to make room; none while a request is under way.
    pub(crate) fn idle_rank(&self) -> Option<IdleRank> {
        let phase = self.phase.lock();
        (phase.in_flight == 0).then(|| IdleRank {
            served_any: phase.served > 0,
            since: if phase.served == 0 {
                self.accepted
            } else {
                phase.last_progress
            },
        })
    }
}

/// A request under way; dropping it (its answer's body done or abandoned) ends it.
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut phase = self.0.phase.lock();
        phase.in_flight = phase.in_flight.saturating_sub(1);
        phase.served += 1;
        phase.last_progress = Instant::now();
        drop(phase);
        self.0.changed.notify_one();
    }
}

/// The socket, telling its [`Activity`] whenever bytes move (under TLS, when its records do).
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The router as hyper calls it, marking each request under way until its body is done.
struct Counted {
    router: TowerToHyperService<Router>,
    activity: Arc<Activity>,
}

/// What [`Counted`] answers.
type Answer = Pin<Box<dyn Future<Output = Result<Response<CountedBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Counted {
    type Response = Response<CountedBody>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let request_done = self.activity.request_started();
        let answer = self.router.call(request);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(|body| CountedBody {
                body,
                _request: request_done,
            }))
        })
    }
}

/// An answer's body, holding its request under way until it is done or dropped.
struct CountedBody {
    body: Body,
    _request: InFlight,
}

impl hyper::body::Body for CountedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// How one connection ended, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The peer or the server closed it in the ordinary way (shutdown included).
    Closed,
    /// A deadline passed.
    TimedOut,
    /// The accept loop needed its room.
    Evicted,
    /// The peer did not complete a TLS handshake (plain HTTP to the HTTPS port, a certificate
    /// it refused, garbage).
    HandshakeFailed,
}

/// What ends a connection from outside: the accept loop needing its room, the server shutting
/// down.
pub(crate) struct Ends {
    pub(crate) evict: CancellationToken,
    pub(crate) shutdown: CancellationToken,
}

/// Serves `stream` (after a TLS handshake when `tls` is given) until it closes, times out, is
/// evicted or the server shuts down (a request under way finishes, then it closes; with none,
/// it closes at once).
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    router: Router,
    activity: Arc<Activity>,
    limits: Limits,
    ends: Ends,
) -> Ended {
    let watched = Watched {
        stream,
        activity: activity.clone(),
    };
    let ended = match tls {
        None => serve_http(watched, peer, router, &activity, &limits, &ends).await,
        Some(acceptor) => {
            match handshake(&acceptor, watched, peer, &activity, &limits, &ends).await {
                Ok(stream) => serve_http(stream, peer, router, &activity, &limits, &ends).await,
                Err(ended) => ended,
            }
        }
    };
    debug!(%peer, ?ended, "REST connection closed");
    ended
}

/// The TLS handshake, under the deadline of the first request head (nothing has been served,
/// so it is the accept time plus the header timeout); on failure, how the connection ended.
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: Watched,
    peer: SocketAddr,
    activity: &Activity,
    limits: &Limits,
    ends: &Ends,
) -> Result<TlsStream<Watched>, Ended> {
    let deadline = activity.deadline(limits);
    tokio::select! {
        biased;
        done = acceptor.accept(stream) => done.map_err(|error| {
            debug!(%peer, %error, "REST TLS handshake failed");
            Ended::HandshakeFailed
        }),
        () = ends.evict.cancelled() => Err(Ended::Evicted),
        () = ends.shutdown.cancelled() => Err(Ended::Closed),
        () = tokio::time::sleep_until(deadline) => Err(Ended::TimedOut),
    }
}

/// HTTP/1.1 over `io` (the socket, or TLS over it) until the connection ends.
async fn serve_http<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    activity: &Arc<Activity>,
    limits: &Limits,
    ends: &Ends,
) -> Ended
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let service = Counted {
        router: TowerToHyperService::new(router),
        activity: activity.clone(),
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .max_buf_size(limits.max_head_bytes)
        // Our own deadlines come first; hyper's own timer, which restarts whenever it waits
        // for a head, is only a backstop behind them.
        .header_read_timeout(backstop(limits));
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut draining = false;
    loop {
        let deadline = activity.deadline(limits);
        tokio::select! {
            // The connection first: whatever arrived is read before the connection may be
            // dropped, so closing it ends in an orderly FIN, not a reset for unread bytes.
            biased;
            served = connection.as_mut() => {
                if let Err(error) = served {
                    debug!(%peer, %error, "REST connection ended with an error");
                }
                break Ended::Closed;
            }
            () = ends.evict.cancelled() => break Ended::Evicted,
            () = ends.shutdown.cancelled(), if !draining => {
                // Nothing under way (idle, or a head not yet complete): nothing to finish.
                if activity.idle_rank().is_some() {
                    break Ended::Closed;
                }
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
            () = activity.changed.notified() => {}
            () = tokio::time::sleep_until(deadline) => {
                if activity.deadline(limits) <= Instant::now() {
                    break Ended::TimedOut;
                }
            }
        }
    }
}

/// hyper's own header timer: later than both of ours (but within a day, which hyper can add
/// to the time without overflowing).
fn backstop(limits: &Limits) -> Duration {
    limits
        .header_timeout
        .max(limits.idle_timeout)
        .saturating_add(limits.header_timeout)
        .min(FAR)
}

/// As good as never, for a timeout set too long to add to the time.
const FAR: Duration = Duration::from_secs(24 * 60 * 60);

/// `wait` after `at`; a timeout too long to add stands for one that never comes.
fn after(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait).unwrap_or_else(|| at + FAR * 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            ..Limits::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_follows_what_the_connection_is_doing() {
        let limits = limits();
        let second = Duration::from_secs(1);
        let activity = Activity::new();
        let accepted = Instant::now();
        // A new connection has the header timeout from its accept, bytes or not.
        assert_eq!(activity.deadline(&limits), accepted + 5 * second);
        tokio::time::advance(second).await;
        activity.read();
        assert_eq!(activity.deadline(&limits), accepted + 5 * second);

        // Under way: the idle timeout from the last byte moved.
        let request = activity.request_started();
        assert!(activity.idle_rank().is_none());
        tokio::time::advance(second).await;
        activity.wrote();
        assert_eq!(activity.deadline(&limits), Instant::now() + 30 * second);
        drop(request);

        // Between requests: idle until a byte of the next head arrives.
        let answered = Instant::now();
        assert_eq!(activity.deadline(&limits), answered + 30 * second);
        tokio::time::advance(10 * second).await;
        activity.read();
        assert_eq!(activity.deadline(&limits), Instant::now() + 5 * second);
        assert!(activity.idle_rank().is_some());

        // A timeout too long to add never comes.
        let never = Limits {
            header_timeout: Duration::MAX,
            idle_timeout: Duration::MAX,
            ..limits
        };
        assert!(activity.deadline(&never) >= Instant::now() + 364 * 24 * 3600 * second);
        assert!(backstop(&never) <= FAR);
    }
}

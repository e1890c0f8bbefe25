//! `GET events`: server-sent events of what happens to the devices, whoever caused it.
//!
//! The first event is `devices` (the whole list, as `GET devices` gives it), so a reader needs
//! no separate fetch; then `device-added` (a device), `device-removed` (`{"index": i}`),
//! `output` (`{"device","feature","type","value","level"}`, from any client: WebSocket, REST,
//! a session ending, a stop), `input` (`{"device","feature","type","value"}`: readings a device
//! reported, and those read through this API) and `scanning-finished`. A reader that falls
//! behind gets a fresh `devices` event instead of what it missed.
//!
//! Each event is rendered once, by the [`EventHub`](super::hub::EventHub), into the bytes every reader's stream sends
//! as they are; the device list a new or lagging reader starts from is rendered once per
//! change, not once per reader. At most so many readers at once: the next is answered 503.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::error::ApiError;
use super::hub::EventHub;
use super::state::Shared;

/// A comment line: keeps an idle stream open through proxies and the idle timeout.
const KEEP_ALIVE: &[u8] = b":\n\n";

/// The stream of events for one reader, until it leaves or the server shuts down; 503 when
/// as many readers as allowed are reading.
pub(crate) async fn events(State(state): State<Shared>) -> Result<Response, ApiError> {
    let Ok(permit) = state.subscribers.clone().try_acquire_owned() else {
        debug!(
            max = state.limits.max_subscribers,
            "event stream refused: too many open"
        );
        return Err(ApiError::Unavailable(format!(
            "too many event streams open (at most {})",
            state.limits.max_subscribers
        )));
    };
    let receiver = state.hub.subscribe();
    let interval = state.limits.keep_alive();
    let reader = Reader {
        first: Some(state.hub.device_list()),
        hub: state.hub.clone(),
        receiver,
        shutdown: state.shutdown.clone(),
        keep_alive: Box::pin(tokio::time::sleep(interval)),
        interval,
        _permit: permit,
    };
    let stream = futures::stream::unfold(reader, |mut reader| async move {
        let event = reader.next().await?;
        Some((Ok::<_, Infallible>(event), reader))
    });
    Ok((
        [
            (CONTENT_TYPE, "text/event-stream"),
            (CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// One reader's place in the hub's stream.
struct Reader {
    /// The device list, sent first.
    first: Option<Bytes>,
    hub: Arc<EventHub>,
    receiver: broadcast::Receiver<Bytes>,
    shutdown: CancellationToken,
    keep_alive: Pin<Box<Sleep>>,
    interval: Duration,
    /// This reader's place among the readers allowed; given back when the stream is dropped.
    _permit: OwnedSemaphorePermit,
}

impl Reader {
    /// The next bytes to send, or none when the stream should end.
    async fn next(&mut self) -> Option<Bytes> {
        let next = match self.first.take() {
            Some(first) => Some(first),
            None => tokio::select! {
                () = self.shutdown.cancelled() => None,
                () = self.keep_alive.as_mut() => Some(Bytes::from_static(KEEP_ALIVE)),
                received = self.receiver.recv() => match received {
                    Ok(rendered) => Some(rendered),
                    Err(RecvError::Lagged(missed)) => {
                        debug!(missed, "event stream fell behind; sending the device list again");
                        Some(self.hub.device_list())
                    }
                    Err(RecvError::Closed) => None,
                },
            },
        };
        self.keep_alive
            .as_mut()
            .reset(Instant::now() + self.interval);
        next
    }
}

//! `GET events`: server-sent events of what happens to the devices, whoever caused it.
//!
//! The first event is `devices` (the whole list, as `GET devices` gives it), so a reader needs
//! no separate fetch; then `device-added` (a device), `device-removed` (`{"index": i}`),
//! `output` (`{"device","feature","type","value","level"}`, from any client: WebSocket, REST,
//! a session ending, a stop), `input` (`{"device","feature","type","value"}`: readings a device
//! reported, and those read through this API) and `scanning-finished`. A reader that falls
//! behind gets a fresh `devices` event instead of what it missed.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use plugwire_devices::{DeviceEvent, OutputChange};
use serde::Serialize;
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};
use tracing::{debug, warn};

use super::state::Shared;
use super::view::{DeviceView, InputView, OutputView, device_list};

/// How often an idle stream carries a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The stream of events for one reader, until it leaves or the server shuts down.
pub(crate) async fn events(
    State(state): State<Shared>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let reader = Reader {
        devices: state.devices.subscribe(),
        outputs: state.devices.subscribe_outputs(),
        readings: state.readings.subscribe(),
        state,
        started: false,
    };
    let stream = futures::stream::unfold(reader, |mut reader| async move {
        let event = reader.next().await?;
        Some((Ok(event), reader))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// One reader's subscriptions.
struct Reader {
    state: Shared,
    devices: broadcast::Receiver<DeviceEvent>,
    outputs: broadcast::Receiver<OutputChange>,
    readings: broadcast::Receiver<InputView>,
    started: bool,
}

impl Reader {
    /// The next event, or none when the stream should end.
    async fn next(&mut self) -> Option<Event> {
        if !std::mem::replace(&mut self.started, true) {
            return Some(self.device_list());
        }
        loop {
            let event = tokio::select! {
                () = self.state.shutdown.cancelled() => return None,
                event = self.devices.recv() => match event {
                    Ok(event) => self.device_event(event),
                    Err(error) => Some(self.fell_behind(error)?),
                },
                change = self.outputs.recv() => match change {
                    Ok(change) => Some(data(
                        "output",
                        &OutputView::of_change(&change, &self.state.devices),
                    )),
                    Err(error) => Some(self.fell_behind(error)?),
                },
                reading = self.readings.recv() => match reading {
                    Ok(reading) => Some(data("input", &reading)),
                    Err(error) => Some(self.fell_behind(error)?),
                },
            };
            if let Some(event) = event {
                return Some(event);
            }
        }
    }

    /// A device event as the stream tells it (some are not told).
    fn device_event(&self, event: DeviceEvent) -> Option<Event> {
        Some(match event {
            DeviceEvent::Added(info) => {
                data("device-added", &DeviceView::of(info, &self.state.devices))
            }
            DeviceEvent::Removed(info) => {
                data("device-removed", &json!({ "index": info.device_index }))
            }
            DeviceEvent::ScanningFinished => Event::default().event("scanning-finished").data("{}"),
            DeviceEvent::InputReading {
                device_index,
                feature_index,
                reading,
            } => data(
                "input",
                &InputView {
                    device: device_index,
                    feature: feature_index,
                    input_type: reading.input_type(),
                    value: reading.value(),
                },
            ),
        })
    }

    /// After missed events, the whole list again; none when the channel closed.
    fn fell_behind(&self, error: RecvError) -> Option<Event> {
        match error {
            RecvError::Lagged(missed) => {
                debug!(
                    missed,
                    "event stream fell behind; sending the device list again"
                );
                Some(self.device_list())
            }
            RecvError::Closed => None,
        }
    }

    fn device_list(&self) -> Event {
        data("devices", &device_list(&self.state.devices))
    }
}

/// An event named `name` carrying `value` as JSON.
fn data(name: &str, value: &impl Serialize) -> Event {
    match Event::default().event(name).json_data(value) {
        Ok(event) => event,
        Err(error) => {
            // Our own views always serialize; say so loudly if one ever does not.
            warn!(%error, name, "could not encode an event");
            Event::default().event("error").data("{}")
        }
    }
}

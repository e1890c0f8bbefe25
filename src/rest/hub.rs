//! The event hub: takes in what happens to the devices and renders each event once, into the
//! bytes every `GET events` stream sends as they are. The device list a new or lagging reader
//! starts from is rendered once per change, not once per reader.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use plugwire_core::sync::Mutex;
use plugwire_devices::{DeviceEvent, DeviceManager, OutputChange};
use serde::Serialize;
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::view::{DeviceView, InputView, OutputView, device_list};

/// Rendered events a reader may be behind before it gets the device list instead.
const BACKLOG: usize = 256;

/// Renders every event once and hands the same bytes to every reader.
pub(crate) struct EventHub {
    devices: Arc<DeviceManager>,
    sender: broadcast::Sender<Bytes>,
    /// Counts the events the hub has taken in; the cached list is good while it is unchanged.
    taken: AtomicU64,
    /// The `devices` event, rendered when `taken` had this value.
    list: Mutex<Option<(u64, Bytes)>>,
}

/// What the hub listens to, subscribed before anything can happen that a reader should hear.
pub(crate) struct Sources {
    devices: broadcast::Receiver<DeviceEvent>,
    outputs: broadcast::Receiver<OutputChange>,
    readings: broadcast::Receiver<InputView>,
}

/// One thing the hub took in.
enum Taken {
    Device(DeviceEvent),
    Output(OutputChange),
    Reading(InputView),
    /// The hub itself fell behind its sources: everyone gets the list again.
    Missed,
}

impl EventHub {
    /// A hub over `devices` and the API's own `readings`, and the sources it is to
    /// [`run`](Self::run) over.
    pub(crate) fn new(
        devices: Arc<DeviceManager>,
        readings: &broadcast::Sender<InputView>,
    ) -> (Arc<Self>, Sources) {
        let sources = Sources {
            devices: devices.subscribe(),
            outputs: devices.subscribe_outputs(),
            readings: readings.subscribe(),
        };
        let (sender, _) = broadcast::channel(BACKLOG);
        let hub = Arc::new(Self {
            devices,
            sender,
            taken: AtomicU64::new(0),
            list: Mutex::new(None),
        });
        (hub, sources)
    }

    /// Takes in events until `shutdown` or a source closes, rendering each once for every
    /// reader. When it returns, every reader's stream ends.
    pub(crate) async fn run(self: Arc<Self>, mut sources: Sources, shutdown: CancellationToken) {
        fn taken<T>(received: Result<T, RecvError>, wrap: fn(T) -> Taken) -> Option<Taken> {
            match received {
                Ok(value) => Some(wrap(value)),
                Err(RecvError::Lagged(missed)) => {
                    debug!(
                        missed,
                        "the event hub fell behind; sending the device list again"
                    );
                    Some(Taken::Missed)
                }
                Err(RecvError::Closed) => None,
            }
        }
        loop {
            let taken = tokio::select! {
                () = shutdown.cancelled() => break,
                event = sources.devices.recv() => taken(event, Taken::Device),
                change = sources.outputs.recv() => taken(change, Taken::Output),
                reading = sources.readings.recv() => taken(reading, Taken::Reading),
            };
            let Some(taken) = taken else { break };
            self.taken.fetch_add(1, Ordering::SeqCst);
            if self.sender.receiver_count() == 0 {
                continue;
            }
            // None listening any more is no error.
            let _ = self.sender.send(self.render(taken));
        }
        debug!("event hub stopped");
    }

    /// An event as every stream sends it.
    fn render(&self, taken: Taken) -> Bytes {
        match taken {
            Taken::Device(DeviceEvent::Added(info)) => {
                render("device-added", &DeviceView::of(info, &self.devices))
            }
            Taken::Device(DeviceEvent::Removed(info)) => {
                render("device-removed", &json!({ "index": info.device_index }))
            }
            Taken::Device(DeviceEvent::ScanningFinished) => {
                Bytes::from_static(b"event: scanning-finished\ndata: {}\n\n")
            }
            Taken::Device(DeviceEvent::InputReading {
                device_index,
                feature_index,
                reading,
            }) => render(
                "input",
                &InputView {
                    device: device_index,
                    feature: feature_index,
                    input_type: reading.input_type(),
                    value: reading.value(),
                },
            ),
            Taken::Output(change) => {
                render("output", &OutputView::of_change(&change, &self.devices))
            }
            Taken::Reading(reading) => render("input", &reading),
            Taken::Missed => self.device_list(),
        }
    }

    /// A new reader's receiver. Subscribe before taking the device list: whatever changes
    /// after the list was rendered then reaches the reader as an event.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Bytes> {
        self.sender.subscribe()
    }

    /// The `devices` event as things stand, rendered again only when an event came in since
    /// it was last rendered. Read the count before the list, so a list cached under a count
    /// holds at least every change the hub had taken in by then.
    pub(crate) fn device_list(&self) -> Bytes {
        let taken = self.taken.load(Ordering::SeqCst);
        if let Some((at, rendered)) = &*self.list.lock()
            && *at == taken
        {
            return rendered.clone();
        }
        let rendered = render("devices", &device_list(&self.devices));
        let mut list = self.list.lock();
        if list.as_ref().is_none_or(|(at, _)| *at <= taken) {
            *list = Some((taken, rendered.clone()));
        }
        rendered
    }
}

/// An event named `name` carrying `value` as JSON, as a stream sends it.
fn render(name: &str, value: &impl Serialize) -> Bytes {
    let mut rendered = Vec::with_capacity(256);
    rendered.extend_from_slice(b"event: ");
    rendered.extend_from_slice(name.as_bytes());
    rendered.extend_from_slice(b"\ndata: ");
    if let Err(error) = serde_json::to_writer(&mut rendered, value) {
        // Our own views always serialize; say so loudly if one ever does not.
        warn!(%error, name, "could not encode an event");
        return Bytes::from_static(b"event: error\ndata: {}\n\n");
    }
    rendered.extend_from_slice(b"\n\n");
    Bytes::from(rendered)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use plugwire_core::message::InputType;

    use super::*;

    #[tokio::test]
    async fn an_event_is_rendered_once_for_every_reader() {
        let devices = Arc::new(DeviceManager::new());
        let (readings, _) = broadcast::channel(4);
        let (hub, sources) = EventHub::new(devices, &readings);
        let shutdown = CancellationToken::new();
        let running = tokio::spawn(hub.clone().run(sources, shutdown.clone()));
        let mut first = hub.subscribe();
        let mut second = hub.subscribe();
        readings
            .send(InputView {
                device: 0,
                feature: 2,
                input_type: InputType::Battery,
                value: 87,
            })
            .expect("the hub listens");
        let (a, b) = tokio::time::timeout(Duration::from_secs(10), async {
            (first.recv().await, second.recv().await)
        })
        .await
        .expect("the event arrives");
        let (a, b) = (a.expect("an event"), b.expect("an event"));
        assert_eq!(
            &a[..],
            b"event: input\ndata: {\"device\":0,\"feature\":2,\"type\":\"Battery\",\"value\":87}\n\n"
        );
        assert_eq!(a.as_ptr(), b.as_ptr(), "one rendering, shared");

        // The device list is rendered again only after an event came in.
        let list = hub.device_list();
        assert_eq!(hub.device_list().as_ptr(), list.as_ptr());
        shutdown.cancel();
        running.await.expect("the hub stops");
    }
}

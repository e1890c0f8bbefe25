//! Bluetooth LE through btleplug: scans when asked, matches advertisements against the device
//! configuration, connects, maps endpoints to characteristics, and attaches the device.
//!
//! Every btleplug call has its own short timeout. With no Bluetooth, no D-Bus, or a BlueZ that
//! hangs, starting reports one clear line and the server keeps serving everything else.
//!
//! A hardware manager crate: depends on `plugwire-devices` and `plugwire-core` only, as every
//! crate under `hardware/` does.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plugwire_core::sync::Mutex;

use btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures::StreamExt;
use futures::future::BoxFuture;
use tokio::sync::{broadcast, watch};
use tracing::{debug, info, warn};
use uuid::Uuid;

use plugwire_devices::config::{Advertisement, BtleEntry, DeviceConfig};
use plugwire_devices::hardware::{
    Endpoint, Hardware, HardwareError, HardwareManager, HardwareWrite, Notification,
};
use plugwire_devices::{DeviceManager, admit, attach};

/// Time limits on Bluetooth calls.
#[derive(Debug, Clone)]
pub struct BleOptions {
    /// Limit on each call while starting (system bus, adapters): a hung stack is given up on.
    pub start_timeout: Duration,
    /// Limit on each call to a device (connect, discover, write, read).
    pub call_timeout: Duration,
}

impl Default for BleOptions {
    fn default() -> Self {
        Self {
            start_timeout: Duration::from_millis(400),
            call_timeout: Duration::from_secs(5),
        }
    }
}

/// Why Bluetooth LE is not available.
#[derive(Debug, thiserror::Error)]
pub enum BleError {
    /// The Bluetooth stack reported an error.
    #[error("{0}")]
    Stack(#[from] btleplug::Error),
    /// The Bluetooth stack did not answer in time.
    #[error("the Bluetooth stack did not answer within {0:?}")]
    Timeout(Duration),
    /// There is no Bluetooth adapter.
    #[error("no Bluetooth adapter found")]
    NoAdapter,
}

async fn bounded<T, E: Into<BleError>>(
    limit: Duration,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, BleError> {
    tokio::time::timeout(limit, call)
        .await
        .map_err(|_| BleError::Timeout(limit))?
        .map_err(Into::into)
}

async fn device_call<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, btleplug::Error>>,
) -> Result<T, HardwareError> {
    match tokio::time::timeout(limit, call).await {
        Err(_) => Err(HardwareError::Timeout),
        Ok(Err(btleplug::Error::NotConnected)) => Err(HardwareError::Disconnected),
        Ok(Err(error)) => Err(HardwareError::Stack(Box::new(error))),
        Ok(Ok(value)) => Ok(value),
    }
}

/// How long a device looked at and not attached (no match, not allowed, or it failed to
/// connect) is left alone: scanning reports each advertisement, many times a second.
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// The Bluetooth LE hardware manager.
pub struct BleManager {
    adapter: Adapter,
    options: BleOptions,
    /// Addresses already reported as not connected (no driver, or not allowed).
    reported: Mutex<HashSet<String>>,
    /// A client asked to scan: only then are advertisements acted on.
    scanning: AtomicBool,
}

impl BleManager {
    /// Opens the first Bluetooth adapter and starts following its events; devices it finds
    /// while scanning are matched against `config` and attached to `devices`.
    pub async fn start(
        devices: Arc<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: BleOptions,
    ) -> Result<Arc<Self>, BleError> {
        let manager = bounded(options.start_timeout, Manager::new()).await?;
        let adapter = bounded(options.start_timeout, manager.adapters())
            .await?
            .into_iter()
            .next()
            .ok_or(BleError::NoAdapter)?;
        let events = bounded(options.start_timeout, adapter.events()).await?;
        let this = Arc::new(Self {
            adapter,
            options,
            reported: Mutex::new(HashSet::new()),
            scanning: AtomicBool::new(false),
        });
        let follower = Arc::new(Follower {
            ble: this.clone(),
            devices,
            config,
            attached: Mutex::default(),
            connecting: Mutex::default(),
            passed_over: Mutex::default(),
        });
        tokio::spawn(follower.follow(events));
        Ok(this)
    }
}

impl HardwareManager for BleManager {
    fn name(&self) -> &'static str {
        "Bluetooth LE"
    }

    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        // Set first: the advertisements the scan brings must find it set.
        self.scanning.store(true, Ordering::SeqCst);
        Box::pin(async move {
            let result = device_call(
                self.options.call_timeout,
                self.adapter.start_scan(ScanFilter::default()),
            )
            .await;
            if result.is_err() {
                self.scanning.store(false, Ordering::SeqCst);
            }
            result
        })
    }

    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        self.scanning.store(false, Ordering::SeqCst);
        Box::pin(device_call(
            self.options.call_timeout,
            self.adapter.stop_scan(),
        ))
    }
}

/// Follows the adapter's events: advertisements seen while scanning are matched and
/// connected, disconnections told to the devices' hardware handles.
struct Follower {
    ble: Arc<BleManager>,
    devices: Arc<DeviceManager>,
    config: Arc<DeviceConfig>,
    /// Devices attached or being set up, each with its link's state.
    attached: Mutex<HashMap<PeripheralId, watch::Sender<bool>>>,
    /// Devices being looked at now.
    connecting: Mutex<HashSet<PeripheralId>>,
    /// Devices looked at and not attached, and when.
    passed_over: Mutex<HashMap<PeripheralId, Instant>>,
}

impl Follower {
    async fn follow(
        self: Arc<Self>,
        mut events: std::pin::Pin<Box<dyn futures::Stream<Item = CentralEvent> + Send>>,
    ) {
        while let Some(event) = events.next().await {
            match event {
                // BlueZ reports a device once, when its object appears (again, after BlueZ
                // dropped it or restarted); later advertisements of a device it keeps (one
                // switched off and on, one seen before the adapter was powered off) come only
                // as updates of its signal strength or advertised data. Other platforms
                // report `DeviceUpdated`.
                CentralEvent::DeviceDiscovered(id) => self.seen(id, true),
                CentralEvent::DeviceUpdated(id)
                | CentralEvent::RssiUpdate { id, .. }
                | CentralEvent::ManufacturerDataAdvertisement { id, .. }
                | CentralEvent::ServiceDataAdvertisement { id, .. }
                | CentralEvent::ServicesAdvertisement { id, .. } => self.seen(id, false),
                CentralEvent::DeviceDisconnected(id) => {
                    if let Some(connected) = self.attached.lock().remove(&id) {
                        connected.send_replace(false);
                    }
                }
                _ => {}
            }
        }
        warn!("the Bluetooth adapter stopped reporting events; its devices are gone");
        for (_, connected) in self.attached.lock().drain() {
            connected.send_replace(false);
        }
    }

    /// A device advertised (`appeared`: its object is new to the stack).
    fn seen(self: &Arc<Self>, id: PeripheralId, appeared: bool) {
        // Devices the stack remembers are reported when events start, scanning or not:
        // connecting to one that is not there would only time out.
        if !self.ble.scanning.load(Ordering::SeqCst) {
            return;
        }
        let attached = self.attached.lock().get(&id).cloned();
        if attached.is_some() && !appeared {
            return;
        }
        if !appeared
            && self
                .passed_over
                .lock()
                .get(&id)
                .is_some_and(|at| at.elapsed() < LOOK_AGAIN_AFTER)
        {
            return;
        }
        if !self.connecting.lock().insert(id.clone()) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            // An attached device whose object appears anew lost its link with the old one
            // (BlueZ dropped it or restarted, maybe without a word): if the stack says it is
            // not connected, it is gone, and what advertises now is attached afresh.
            if let Some(connected) = attached
                && !this.still_connected(&id).await
            {
                this.forget(&id, &connected);
            }
            let attached = this.attached.lock().contains_key(&id);
            if !attached {
                match attach_if_configured(
                    &this.ble,
                    &this.devices,
                    &this.config,
                    &id,
                    &this.attached,
                )
                .await
                {
                    Ok(true) => {
                        this.passed_over.lock().remove(&id);
                    }
                    Ok(false) => {
                        this.passed_over.lock().insert(id.clone(), Instant::now());
                    }
                    Err(error) => {
                        debug!(%error, "not attaching a Bluetooth device");
                        this.passed_over.lock().insert(id.clone(), Instant::now());
                    }
                }
            }
            this.connecting.lock().remove(&id);
        });
    }

    async fn still_connected(&self, id: &PeripheralId) -> bool {
        let limit = self.ble.options.call_timeout;
        let Ok(peripheral) = device_call(limit, self.ble.adapter.peripheral(id)).await else {
            return false;
        };
        matches!(
            device_call(limit, peripheral.is_connected()).await,
            Ok(true)
        )
    }

    /// Marks an attached device gone (taking it out of `attached` if `connected` is still
    /// its link).
    fn forget(&self, id: &PeripheralId, connected: &watch::Sender<bool>) {
        forget_link(&self.attached, id, connected);
        connected.send_replace(false);
    }
}

/// Looks at one advertisement; if a configured protocol claims it, connects and attaches it.
/// Says whether it did.
async fn attach_if_configured(
    ble: &BleManager,
    devices: &Arc<DeviceManager>,
    config: &DeviceConfig,
    id: &PeripheralId,
    attached: &Mutex<HashMap<PeripheralId, watch::Sender<bool>>>,
) -> Result<bool, HardwareError> {
    let limit = ble.options.call_timeout;
    let peripheral = device_call(limit, ble.adapter.peripheral(id)).await?;
    let Some(properties) = device_call(limit, peripheral.properties()).await? else {
        return Ok(false);
    };
    let advertisement = Advertisement {
        name: properties.local_name.clone().unwrap_or_default(),
        services: properties.services.iter().map(Uuid::to_string).collect(),
        manufacturer_data: properties
            .manufacturer_data
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect(),
    };
    let Some((protocol, btle)) = config.match_advertisement(&advertisement) else {
        return Ok(false);
    };
    let address = properties.address.to_string();
    if let Err(refusal) = admit(config, protocol, &advertisement.name, &address) {
        // Said once per device: scans see the same advertisement again and again.
        if ble.reported.lock().insert(address.clone()) {
            info!(%address, "{refusal}");
        }
        return Ok(false);
    }
    info!(name = %advertisement.name, %address, protocol, "connecting to a Bluetooth device");
    // Registered before connecting, so a disconnection reported while we set up is not lost.
    let (connected, _) = watch::channel(true);
    attached.lock().insert(id.clone(), connected.clone());
    let set_up = async {
        device_call(limit, peripheral.connect()).await?;
        device_call(limit, peripheral.discover_services()).await?;
        let notifications = device_call(limit, peripheral.notifications()).await?;
        Ok::<_, HardwareError>(notifications)
    };
    let notifications = match set_up.await {
        Ok(notifications) => notifications,
        Err(error) => {
            forget_link(attached, id, &connected);
            let _ = device_call(limit, peripheral.disconnect()).await;
            return Err(error);
        }
    };
    let endpoints = map_endpoints(btle, &peripheral.characteristics());
    let by_uuid: HashMap<Uuid, Endpoint> = endpoints
        .iter()
        .map(|(endpoint, characteristic)| (characteristic.uuid, *endpoint))
        .collect();
    let (notify, _) = broadcast::channel(64);
    let hardware = Arc::new(BleHardware {
        name: advertisement.name.clone(),
        address,
        peripheral,
        endpoints,
        connected: connected.clone(),
        notify: notify.clone(),
        limit,
    });
    // Notifications are passed on until the device goes.
    let mut gone = connected.subscribe();
    tokio::spawn(async move {
        let mut notifications = notifications;
        loop {
            tokio::select! {
                value = notifications.next() => match value {
                    Some(value) => {
                        if let Some(endpoint) = by_uuid.get(&value.uuid) {
                            let _ = notify.send(Notification { endpoint: *endpoint, data: value.value });
                        }
                    }
                    None => return,
                },
                _ = gone.wait_for(|connected| !connected) => return,
            }
        }
    });
    let protocol = protocol.to_owned();
    if let Err(error) = attach(devices, config, &protocol, hardware.clone()).await {
        warn!(%error, name = %advertisement.name, "could not set up a Bluetooth device");
        forget_link(attached, id, &connected);
        let _ = device_call(limit, hardware.peripheral.disconnect()).await;
        return Ok(false);
    }
    Ok(true)
}

/// Takes a device's link out of `attached`, if `connected` is still its link.
fn forget_link(
    attached: &Mutex<HashMap<PeripheralId, watch::Sender<bool>>>,
    id: &PeripheralId,
    connected: &watch::Sender<bool>,
) {
    let mut attached = attached.lock();
    if attached
        .get(id)
        .is_some_and(|current| current.same_channel(connected))
    {
        attached.remove(id);
    }
}

/// Maps the configured endpoint names to the device's characteristics.
fn map_endpoints(
    btle: &BtleEntry,
    characteristics: &std::collections::BTreeSet<Characteristic>,
) -> BTreeMap<Endpoint, Characteristic> {
    let mut endpoints = BTreeMap::new();
    for (service, names) in &btle.services {
        let Ok(service) = Uuid::from_str(service) else {
            continue;
        };
        for (name, uuid) in names {
            let (Ok(endpoint), Ok(uuid)) = (name.parse::<Endpoint>(), Uuid::from_str(uuid)) else {
                continue;
            };
            if let Some(characteristic) = characteristics
                .iter()
                .find(|c| c.uuid == uuid && c.service_uuid == service)
            {
                endpoints.insert(endpoint, characteristic.clone());
            }
        }
    }
    endpoints
}

/// A connected Bluetooth LE device.
struct BleHardware {
    name: String,
    address: String,
    peripheral: Peripheral,
    endpoints: BTreeMap<Endpoint, Characteristic>,
    connected: watch::Sender<bool>,
    notify: broadcast::Sender<Notification>,
    limit: Duration,
}

impl BleHardware {
    fn characteristic(&self, endpoint: Endpoint) -> Result<&Characteristic, HardwareError> {
        self.endpoints
            .get(&endpoint)
            .ok_or(HardwareError::NoEndpoint(endpoint))
    }

    /// After a failed call, asks whether the link is still up: stacks often report a dropped
    /// link as some other error, and the adapter's disconnect event can come late or not at
    /// all. A device found gone is removed (and clients told) through `disconnected`.
    async fn check_link<T>(&self, result: Result<T, HardwareError>) -> Result<T, HardwareError> {
        if result.is_err()
            && !matches!(
                device_call(self.limit, self.peripheral.is_connected()).await,
                Ok(true)
            )
        {
            self.connected.send_replace(false);
            return Err(HardwareError::Disconnected);
        }
        result
    }
}

impl Hardware for BleHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.address
    }

    fn has_endpoint(&self, endpoint: Endpoint) -> bool {
        self.endpoints.contains_key(&endpoint)
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let characteristic = self.characteristic(write.endpoint)?;
            let kind = if write.with_response {
                WriteType::WithResponse
            } else {
                WriteType::WithoutResponse
            };
            let result = device_call(
                self.limit,
                self.peripheral.write(characteristic, &write.data, kind),
            )
            .await;
            self.check_link(result).await
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        Box::pin(async move {
            let characteristic = self.characteristic(endpoint)?;
            let result = device_call(
                timeout.min(self.limit),
                self.peripheral.read(characteristic),
            )
            .await;
            self.check_link(result).await
        })
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let characteristic = self.characteristic(endpoint)?;
            let result = device_call(self.limit, self.peripheral.subscribe(characteristic)).await;
            self.check_link(result).await
        })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            let characteristic = self.characteristic(endpoint)?;
            let result = device_call(self.limit, self.peripheral.unsubscribe(characteristic)).await;
            self.check_link(result).await
        })
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.notify.subscribe()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        let mut watcher = self.connected.subscribe();
        Box::pin(async move {
            let _ = watcher.wait_for(|connected| !connected).await;
        })
    }
}

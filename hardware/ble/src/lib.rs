//! Bluetooth LE through btleplug: scans when asked, matches advertisements against the device
//! configuration, connects, maps endpoints to characteristics, and attaches the device.
//!
//! Every btleplug call has its own short timeout. With no Bluetooth, no D-Bus, or a BlueZ that
//! hangs, starting reports one clear line and the server keeps serving everything else. With
//! no adapter yet, the manager starts anyway and uses the first one that appears.
//!
//! [`judge`] says what would be done with an advertisement (the [`Verdict`]); [`scan`] is a
//! scan of its own that reports every advertising device with its verdict (`plugwire scan`).
//!
//! A hardware manager crate: depends on `plugwire-devices` and `plugwire-core` only, as every
//! crate under `hardware/` does.

mod hardware;
mod scan;
mod stack;
mod verdict;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use btleplug::api::{Central, CentralEvent, CentralState, Peripheral as _, ScanFilter};
use btleplug::platform::{Adapter, Manager, PeripheralId};
use futures::StreamExt;
use futures::future::BoxFuture;
use plugwire_core::sync::Mutex;
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::hardware::{Endpoint, HardwareError, HardwareManager, Notification};
use plugwire_devices::{DeviceManager, attach};
use tokio::sync::{broadcast, watch};
use tracing::{debug, info, warn};
use uuid::Uuid;

use self::hardware::{BleHardware, map_endpoints};
pub use self::scan::{Sighting, scan};
pub use self::stack::{BleError, BleOptions};
use self::stack::{bounded, device_call};
use self::verdict::judge_claimed;
pub use self::verdict::{Claim, Verdict, advertisement, judge};

/// What the manager does beyond what clients ask.
#[derive(Debug, Clone, Default)]
pub struct BlePolicy {
    /// A known device (one this manager attached before) that comes back is attached again
    /// without a client scanning: while one is away and the adapter is powered, the manager
    /// keeps discovery running on its own. Off by default: clients expect devices to arrive
    /// while they scan, a toy switched on for another app would be taken from it, and
    /// discovery runs for as long as the toy stays away.
    pub reconnect_known: bool,
}

/// How long a device looked at and not attached (no match, not allowed, or it failed to
/// connect) is left alone: scanning reports each advertisement, many times a second.
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(1);
/// Most devices remembered as already reported (not drivable); past it the memory starts over.
const MAX_REMEMBERED: usize = 4_096;

/// How often the stack is asked for an adapter while it has none.
const ADAPTER_POLL: Duration = Duration::from_secs(1);

/// The Bluetooth LE hardware manager.
pub struct BleManager {
    shared: Arc<Shared>,
}

impl BleManager {
    /// Reaches the Bluetooth stack and follows its first adapter's events (or, with no adapter
    /// yet, the first that appears); devices it finds while scanning are matched against
    /// `config` and attached to `devices`.
    pub async fn start(
        devices: Arc<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: BleOptions,
    ) -> Result<Arc<Self>, BleError> {
        Self::start_with(devices, config, options, BlePolicy::default()).await
    }

    /// [`BleManager::start`], doing what `policy` asks beyond it.
    pub async fn start_with(
        devices: Arc<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: BleOptions,
        policy: BlePolicy,
    ) -> Result<Arc<Self>, BleError> {
        let manager = stack::connect(&options).await?;
        let adapter = stack::first_adapter(&manager, &options).await?;
        let (adapter_found, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            options,
            policy,
            devices,
            config,
            adapter: OnceLock::new(),
            adapter_found,
            reported: Mutex::default(),
            scanning: AtomicBool::new(false),
            powered: AtomicBool::new(false),
            discovery: tokio::sync::Mutex::new(false),
            attached: Mutex::default(),
            connecting: Mutex::default(),
            passed_over: Mutex::default(),
            known: Mutex::default(),
        });
        match adapter {
            Some(adapter) => shared.clone().use_adapter(adapter).await?,
            None => {
                tokio::spawn(wait_for_adapter(Arc::downgrade(&shared), manager));
            }
        }
        Ok(Arc::new(Self { shared }))
    }

    /// Whether it has an adapter (it may have started without one).
    pub fn has_adapter(&self) -> bool {
        self.shared.adapter.get().is_some()
    }

    /// Finishes once it has an adapter.
    pub async fn adapter_found(&self) {
        let mut found = self.shared.adapter_found.subscribe();
        let _ = found.wait_for(|found| *found).await;
    }
}

impl HardwareManager for BleManager {
    fn name(&self) -> &'static str {
        "Bluetooth LE"
    }

    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        // Set first: the advertisements the scan brings must find it set.
        self.shared.scanning.store(true, Ordering::SeqCst);
        Box::pin(async move {
            let result = self.shared.start_client_scan().await;
            if result.is_err() {
                self.shared.scanning.store(false, Ordering::SeqCst);
            }
            result
        })
    }

    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        self.shared.scanning.store(false, Ordering::SeqCst);
        Box::pin(self.shared.stop_client_scan())
    }
}

/// Asks the stack for an adapter every [`ADAPTER_POLL`] until one appears (or the manager is
/// dropped), and uses it.
async fn wait_for_adapter(shared: Weak<Shared>, manager: Manager) {
    let mut told = false;
    loop {
        // A poll, not a wait for something this process does: the stack has no event for an
        // adapter that btleplug passes on.
        tokio::time::sleep(ADAPTER_POLL).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        match stack::first_adapter(&manager, &shared.options).await {
            Ok(Some(adapter)) => match shared.clone().use_adapter(adapter).await {
                Ok(()) => {
                    info!("a Bluetooth adapter appeared");
                    return;
                }
                Err(error) => debug!(%error, "could not use the Bluetooth adapter that appeared"),
            },
            Ok(None) => {}
            Err(error) if !told => {
                debug!(%error, "could not ask the Bluetooth stack for adapters");
                told = true;
            }
            Err(_) => {}
        }
    }
}

/// What the manager, its event follower and its set-up tasks share.
struct Shared {
    options: BleOptions,
    policy: BlePolicy,
    devices: Arc<DeviceManager>,
    config: Arc<DeviceConfig>,
    adapter: OnceLock<Adapter>,
    /// Set once `adapter` is.
    adapter_found: watch::Sender<bool>,
    /// Addresses already reported as not connected (no driver, or not allowed).
    reported: Mutex<HashSet<String>>,
    /// A client asked to scan: only then are advertisements of unknown devices acted on.
    scanning: AtomicBool,
    /// The adapter is powered, as last reported.
    powered: AtomicBool,
    /// Whether this manager's discovery session runs (as far as it knows); held across every
    /// start and stop, so they go to the stack one at a time.
    discovery: tokio::sync::Mutex<bool>,
    /// Devices attached or being set up, each with its link's state.
    attached: Mutex<HashMap<PeripheralId, watch::Sender<bool>>>,
    /// Devices being looked at now.
    connecting: Mutex<HashSet<PeripheralId>>,
    /// Devices looked at and not attached, and when.
    passed_over: Mutex<HashMap<PeripheralId, Instant>>,
    /// Devices attached at some time (for [`BlePolicy::reconnect_known`]).
    known: Mutex<HashSet<PeripheralId>>,
}

impl Shared {
    /// Remembers that `id` was looked at and not attached, so it is not looked at again for
    /// [`LOOK_AGAIN_AFTER`]; entries older than that are dropped on the way, so addresses seen
    /// once do not pile up.
    fn pass_over(&self, id: &PeripheralId) {
        let mut passed_over = self.passed_over.lock();
        passed_over.retain(|_, at| at.elapsed() < LOOK_AGAIN_AFTER);
        passed_over.insert(id.clone(), Instant::now());
    }

    /// Follows `adapter`'s events from now on, and starts the scan a client asked for before
    /// there was one.
    async fn use_adapter(self: Arc<Self>, adapter: Adapter) -> Result<(), BleError> {
        let events = bounded(self.options.start_timeout, adapter.events()).await?;
        let state = bounded(self.options.start_timeout, adapter.adapter_state()).await?;
        self.powered
            .store(state == CentralState::PoweredOn, Ordering::SeqCst);
        if self.adapter.set(adapter).is_err() {
            return Ok(());
        }
        tokio::spawn(self.clone().follow(events));
        self.adapter_found.send_replace(true);
        if self.scanning.load(Ordering::SeqCst)
            && let Err(error) = self.start_client_scan().await
        {
            warn!(%error, "could not start the scan a client asked for");
        }
        Ok(())
    }

    /// Starts discovery for a client (and powers the adapter on, as btleplug asks BlueZ to).
    async fn start_client_scan(&self) -> Result<(), HardwareError> {
        let Some(adapter) = self.adapter.get() else {
            info!("no Bluetooth adapter yet: scanning starts once one appears");
            return Ok(());
        };
        let limit = self.options.call_timeout;
        let mut running = self.discovery.lock().await;
        if *running {
            // BlueZ refuses a second StartDiscovery from the same client ("in progress"), and
            // the session may be gone without a word (BlueZ restarted): started afresh.
            let _ = device_call(limit, adapter.stop_scan()).await;
        }
        let result = device_call(limit, adapter.start_scan(ScanFilter::default())).await;
        *running = result.is_ok();
        result
    }

    /// Stops discovery for clients, unless the manager goes on looking for known devices.
    async fn stop_client_scan(&self) -> Result<(), HardwareError> {
        let Some(adapter) = self.adapter.get() else {
            return Ok(());
        };
        let mut running = self.discovery.lock().await;
        if !*running || self.looking_for_known() {
            return Ok(());
        }
        let result = device_call(self.options.call_timeout, adapter.stop_scan()).await;
        // After a failure it may still run: the next start stops it first.
        *running = result.is_err();
        result
    }

    /// Whether discovery should run for known devices that went away: the policy asks for
    /// it, one is away, and the adapter is powered (it is never powered on for this).
    fn looking_for_known(&self) -> bool {
        if !self.policy.reconnect_known || !self.powered.load(Ordering::SeqCst) {
            return false;
        }
        let known: Vec<PeripheralId> = self.known.lock().iter().cloned().collect();
        let attached = self.attached.lock();
        known
            .iter()
            .any(|id| attached.get(id).is_none_or(|link| !*link.borrow()))
    }

    /// Starts or stops discovery as the state asks: a client's scan lost to a power cycle is
    /// started again once the adapter is powered; with [`BlePolicy::reconnect_known`],
    /// discovery runs while a known device is away.
    async fn refresh_discovery(&self) {
        let Some(adapter) = self.adapter.get() else {
            return;
        };
        let limit = self.options.call_timeout;
        let mut running = self.discovery.lock().await;
        let powered = self.powered.load(Ordering::SeqCst);
        let wanted = powered && (self.scanning.load(Ordering::SeqCst) || self.looking_for_known());
        if wanted && !*running {
            match device_call(limit, adapter.start_scan(ScanFilter::default())).await {
                Ok(()) => {
                    *running = true;
                    if !self.scanning.load(Ordering::SeqCst) {
                        info!("looking for known Bluetooth devices that went away");
                    }
                }
                Err(error) => debug!(%error, "could not start discovery"),
            }
        } else if !wanted && *running && !self.scanning.load(Ordering::SeqCst) {
            match device_call(limit, adapter.stop_scan()).await {
                Ok(()) => {
                    *running = false;
                    debug!("no known Bluetooth device is away: discovery stopped");
                }
                Err(error) => debug!(%error, "could not stop discovery"),
            }
        }
    }

    fn spawn_refresh(self: &Arc<Self>) {
        let this = self.clone();
        tokio::spawn(async move { this.refresh_discovery().await });
    }

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
                    if self.policy.reconnect_known {
                        self.spawn_refresh();
                    }
                }
                CentralEvent::StateUpdate(state) => {
                    let on = state == CentralState::PoweredOn;
                    self.powered.store(on, Ordering::SeqCst);
                    if on {
                        self.spawn_refresh();
                    } else {
                        // BlueZ ends every discovery session when the adapter powers off.
                        *self.discovery.lock().await = false;
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
        // connecting to one that is not there would only time out. A known device is looked
        // for without a scan only when the policy says so.
        let wanted = self.scanning.load(Ordering::SeqCst)
            || (self.policy.reconnect_known && self.known.lock().contains(&id));
        if !wanted {
            return;
        }
        let attached = {
            let mut attached = self.attached.lock();
            // A link found dead by a failed call, with no disconnection reported: gone.
            if attached.get(&id).is_some_and(|link| !*link.borrow()) {
                attached.remove(&id);
            }
            attached.get(&id).cloned()
        };
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
                match this.attach_if_configured(&id).await {
                    Ok(true) => {
                        this.passed_over.lock().remove(&id);
                        this.known.lock().insert(id.clone());
                    }
                    Ok(false) => this.pass_over(&id),
                    Err(error) => {
                        debug!(%error, "not attaching a Bluetooth device");
                        this.pass_over(&id);
                    }
                }
            }
            this.connecting.lock().remove(&id);
            if this.policy.reconnect_known {
                this.refresh_discovery().await;
            }
        });
    }

    async fn still_connected(&self, id: &PeripheralId) -> bool {
        let limit = self.options.call_timeout;
        let Some(adapter) = self.adapter.get() else {
            return false;
        };
        let Ok(peripheral) = device_call(limit, adapter.peripheral(id)).await else {
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

    /// Looks at one advertisement; if a configured protocol claims it and the verdict is that
    /// it is drivable, connects and attaches it. Says whether it did.
    async fn attach_if_configured(&self, id: &PeripheralId) -> Result<bool, HardwareError> {
        let Some(adapter) = self.adapter.get() else {
            return Ok(false);
        };
        let (config, devices, attached) = (&self.config, &self.devices, &self.attached);
        let limit = self.options.call_timeout;
        let peripheral = device_call(limit, adapter.peripheral(id)).await?;
        let Some(properties) = device_call(limit, peripheral.properties()).await? else {
            return Ok(false);
        };
        let advertisement = advertisement(&properties);
        let Some((protocol, btle)) = config.match_advertisement(&advertisement) else {
            return Ok(false);
        };
        let address = properties.address.to_string();
        let verdict = judge_claimed(config, protocol, &advertisement.name, &address);
        if !verdict.is_drivable() {
            // Said once per device: scans see the same advertisement again and again. Bounded:
            // a radio advertising ever new random addresses must not grow it for good.
            let mut reported = self.reported.lock();
            if reported.len() >= MAX_REMEMBERED {
                reported.clear();
            }
            let first = reported.insert(address.clone());
            drop(reported);
            if first {
                info!(name = %advertisement.name, %address, "not connecting: {verdict}");
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

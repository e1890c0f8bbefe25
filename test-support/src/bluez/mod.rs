//! A simulated BlueZ: a private `dbus-daemon` with `org.bluez` on it, answering exactly what
//! btleplug (through bluez-async) asks of the real one, so plugwire's Bluetooth LE path runs
//! unchanged against toys described as data.
//!
//! What it serves, as BlueZ spells it:
//!
//! - the object manager at `/`: `GetManagedObjects`, `InterfacesAdded`, `InterfacesRemoved`;
//! - `org.bluez.Adapter1` at `/org/bluez/hci0`: `StartDiscovery`, `StopDiscovery` (one
//!   discovery session per client, as BlueZ keeps them: a client's second `StartDiscovery` is
//!   refused `InProgress`, one leaving the bus loses its session, and discovery runs while any
//!   client has one), `SetDiscoveryFilter`, `GetDiscoveryFilters`, `RemoveDevice`; `Powered`
//!   can be set. The adapter can be absent at first and plugged in later
//!   ([`SimulatedBluez::start_without_adapter`], [`SimulatedBluez::add_adapter`]), or
//!   unplugged;
//! - `org.bluez.Device1` per peripheral: `Connect` (then `Connected`, the GATT objects and
//!   `ServicesResolved`), `Disconnect`; `Trusted` can be set;
//! - `org.bluez.GattService1` and `org.bluez.GattCharacteristic1` while connected:
//!   `ReadValue`, `WriteValue` (each write recorded with its `type`), `StartNotify`,
//!   `StopNotify`, and notifications as `PropertiesChanged` of `Value`;
//! - `org.freedesktop.DBus.Properties` (`Get`, `GetAll`, `Set`, `PropertiesChanged`) and
//!   `org.freedesktop.DBus.Introspectable` (bluez-async finds services and characteristics
//!   by introspecting child nodes) on every object.
//!
//! A peripheral added while the adapter discovers appears at once (`InterfacesAdded`); one
//! added while it does not appears when discovery starts, as a real adapter finds it. A
//! device already on the bus reports another advertisement (its `RSSI`) when discovery
//! starts and when [`SimulatedBluez::advertise`] says so.
//!
//! Tests run it in their own process and point a `plugwire serve` child at it with
//! `DBUS_SYSTEM_BUS_ADDRESS` ([`SimulatedBluez::address`]); a test that runs btleplug in its
//! own process reruns itself with that variable set ([`rerun_with_private_system_bus`]).

mod bus;
mod child;
mod peripheral;
mod server;
mod state;

use std::future::pending;
use std::sync::Arc;
use std::time::Duration;

use dbus::Message;
use dbus::channel::{Channel, MatchingReceiver, Sender};
use dbus::message::MatchRule;
use dbus::nonblock::SyncConnection;
use plugwire_core::sync::Mutex;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use self::bus::PrivateBus;
pub use self::child::{
    CHILD_BUS, rerun_program_with_private_system_bus, rerun_with_private_system_bus,
};
pub use self::peripheral::{
    ALL_FLAGS, BATTERY_LEVEL, BATTERY_SERVICE, CharacteristicSpec, Faults, PeripheralSpec, Reply,
    ServiceSpec,
};
use self::server::Out;
use self::state::{Device, State};
pub use self::state::{Operation, WriteKind};

/// The simulated BlueZ could not start.
#[derive(Debug, thiserror::Error)]
pub enum BluezError {
    /// The private bus could not be started.
    #[error("could not start a private dbus-daemon: {0}")]
    Bus(#[from] std::io::Error),
    /// The bus refused something.
    #[error("D-Bus: {0}")]
    Dbus(#[from] dbus::Error),
    /// Someone else owns `org.bluez` on that bus.
    #[error("org.bluez is taken on that bus")]
    NameTaken,
}

/// A wait for a condition ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the condition did not hold within {0:?}")]
pub struct TimedOut(pub Duration);

/// One recorded `WriteValue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The bytes.
    pub data: Vec<u8>,
    /// How it asked to be written.
    pub kind: WriteKind,
}

struct Inner {
    state: Mutex<State>,
    /// Bumped after every change, for [`SimulatedBluez::wait_until`].
    version: watch::Sender<u64>,
    connection: Mutex<Option<Arc<SyncConnection>>>,
    io: Mutex<Option<JoinHandle<()>>>,
}

impl Inner {
    fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// Sends what a change produced; the state lock is held, so signals and replies leave in
    /// the order the changes were made.
    fn send(&self, connection: Option<&SyncConnection>, outs: Vec<Out>) {
        let owned = self.connection.lock().clone();
        let Some(connection) = connection.or(owned.as_deref()) else {
            return;
        };
        for out in outs {
            match out {
                Out::Now(message) => {
                    let _ = connection.send(message);
                }
                Out::Later(delay, messages) => {
                    if let Some(later) = owned.clone() {
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            for message in messages {
                                let _ = later.send(message);
                            }
                        });
                    }
                }
            }
        }
    }

    fn on_call(&self, call: &Message, connection: &SyncConnection) {
        {
            let mut state = self.state.lock();
            let outs = server::handle(&mut state, call);
            self.send(Some(connection), outs);
        }
        self.bump();
    }

    /// Connects to the bus at `address` and claims `org.bluez`.
    async fn connect(self: &Arc<Self>, address: &str) -> Result<(), BluezError> {
        let mut channel = Channel::open_private(address)?;
        channel.register()?;
        let (resource, connection) =
            dbus_tokio::connection::from_channel::<SyncConnection>(channel)?;
        let io = tokio::spawn(async move {
            let _lost = resource.await;
        });
        let weak = Arc::downgrade(self);
        connection.start_receive(
            MatchRule::new_method_call(),
            Box::new(move |call, connection| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_call(&call, connection);
                }
                true
            }),
        );
        // A client that leaves the bus loses its discovery session, as BlueZ watches for.
        let left = MatchRule::new_signal("org.freedesktop.DBus", "NameOwnerChanged");
        connection.add_match_no_cb(&left.match_str()).await?;
        let weak = Arc::downgrade(self);
        connection.start_receive(
            left,
            Box::new(move |signal, _| {
                if let Some(inner) = weak.upgrade()
                    && let Ok((name, _, owner)) = signal.read3::<&str, &str, &str>()
                    && owner.is_empty()
                {
                    inner.change(|state, out| state.client_left(name, out));
                }
                true
            }),
        );
        use dbus::nonblock::stdintf::org_freedesktop_dbus::RequestNameReply;
        // Replaceable, and replacing: a restarted BlueZ takes the name even while the old
        // connection's last messages are still on their way out.
        let reply = connection
            .request_name("org.bluez", true, true, true)
            .await?;
        if reply != RequestNameReply::PrimaryOwner {
            io.abort();
            return Err(BluezError::NameTaken);
        }
        *self.connection.lock() = Some(connection);
        *self.io.lock() = Some(io);
        Ok(())
    }

    /// Leaves the bus without a word, as a BlueZ that crashes does; the returned task ends
    /// once the connection is closed.
    fn disconnect(&self) -> Option<JoinHandle<()>> {
        self.connection.lock().take();
        let io = self.io.lock().take();
        if let Some(io) = &io {
            io.abort();
        }
        io
    }

    /// Runs a change and sends what it produced.
    fn change<T>(&self, f: impl FnOnce(&mut State, &mut Vec<Message>) -> T) -> T {
        let result = {
            let mut state = self.state.lock();
            let mut out = Vec::new();
            let result = f(&mut state, &mut out);
            self.send(None, out.into_iter().map(Out::Now).collect());
            result
        };
        self.bump();
        result
    }
}

/// A simulated BlueZ on a private bus. Dropping it takes `org.bluez` off the bus (and stops
/// the bus if it started it).
pub struct SimulatedBluez {
    inner: Arc<Inner>,
    address: String,
    // Dropped after `inner`'s connection is closed (see `Drop`).
    bus: Option<PrivateBus>,
}

impl std::fmt::Debug for SimulatedBluez {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedBluez")
            .field("address", &self.address)
            .finish()
    }
}

impl SimulatedBluez {
    /// Starts a private bus and a simulated BlueZ on it, with a powered adapter and no
    /// peripherals. Needs a tokio runtime (the connection runs as a task).
    pub async fn start() -> Result<Self, BluezError> {
        let bus = PrivateBus::start()?;
        let mut this = Self::on_bus(bus.address()).await?;
        this.bus = Some(bus);
        Ok(this)
    }

    /// Starts a private bus and a simulated BlueZ on it with no adapter yet (as on a machine
    /// whose dongle is not plugged in): [`SimulatedBluez::add_adapter`] plugs one in.
    pub async fn start_without_adapter() -> Result<Self, BluezError> {
        let bus = PrivateBus::start()?;
        let mut state = State::new();
        state.adapter = false;
        let mut this = Self::with_state(bus.address(), state).await?;
        this.bus = Some(bus);
        Ok(this)
    }

    /// A simulated BlueZ on the bus at `address` (one a parent process started).
    pub async fn on_bus(address: &str) -> Result<Self, BluezError> {
        Self::with_state(address, State::new()).await
    }

    async fn with_state(address: &str, state: State) -> Result<Self, BluezError> {
        let (version, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            version,
            connection: Mutex::new(None),
            io: Mutex::new(None),
        });
        inner.connect(address).await?;
        Ok(Self {
            inner,
            address: address.to_owned(),
            bus: None,
        })
    }

    /// The bus address: what `DBUS_SYSTEM_BUS_ADDRESS` is set to for btleplug.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Adds a peripheral, switched on and advertising. It appears on the bus at once if the
    /// adapter is discovering or it is paired (and there is an adapter), else when discovery
    /// starts. Needs a tokio
    /// runtime if it advertises periodically.
    ///
    /// # Panics
    ///
    /// If a peripheral with its address is already there.
    pub fn add(&self, spec: PeripheralSpec) {
        if let Some(every) = spec.advertising_interval {
            let (inner, address) = (Arc::downgrade(&self.inner), spec.address.clone());
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every);
                loop {
                    ticks.tick().await;
                    let Some(inner) = inner.upgrade() else {
                        return;
                    };
                    inner.change(|state, out| {
                        let discovering = state.discovering;
                        if let Some(device) = state.device_mut(&address)
                            && discovering
                            && !device.connected
                        {
                            device.advertise(out);
                        }
                    });
                }
            });
        }
        self.inner.change(|state, out| {
            assert!(
                state.device(&spec.address).is_none(),
                "{} is already simulated",
                spec.address
            );
            let mut device = Device::new(spec);
            if state.adapter && (state.discovering || device.spec.paired) {
                device.export(out);
            }
            state.devices.push(device);
        });
    }

    fn with_device<T>(
        &self,
        address: &str,
        f: impl FnOnce(&mut Device, &mut Vec<Message>) -> T,
    ) -> T {
        self.inner.change(|state, out| {
            let device = state
                .device_mut(address)
                .unwrap_or_else(|| panic!("no simulated peripheral at {address}"));
            f(device, out)
        })
    }

    fn read<T>(&self, address: &str, f: impl FnOnce(&Device) -> T) -> T {
        let state = self.inner.state.lock();
        let device = state
            .device(address)
            .unwrap_or_else(|| panic!("no simulated peripheral at {address}"));
        f(device)
    }

    /// Another advertisement: while discovering, BlueZ reports the device's RSSI (and
    /// manufacturer data) again.
    pub fn advertise(&self, address: &str) {
        let discovering = self.is_discovering();
        self.with_device(address, |device, out| {
            if discovering {
                device.advertise(out);
            }
        });
    }

    /// The link drops (out of range, interference) but the toy stays on and advertising.
    pub fn drop_link(&self, address: &str) {
        self.with_device(address, |device, out| device.disconnect(out));
    }

    /// The toy is switched off: the link drops (`Connected` false) and it stops advertising.
    /// BlueZ keeps its object for a while ([`SimulatedBluez::remove`] takes it away).
    pub fn switch_off(&self, address: &str) {
        self.with_device(address, |device, out| {
            device.disconnect(out);
            device.in_range = false;
        });
    }

    /// The toy is switched on again and advertises; while discovering it is reported
    /// (appearing anew, or an advertisement of the object BlueZ kept).
    pub fn switch_on(&self, address: &str) {
        self.inner.change(|state, out| {
            let discovering = state.discovering;
            let device = state
                .device_mut(address)
                .unwrap_or_else(|| panic!("no simulated peripheral at {address}"));
            device.in_range = true;
            if discovering {
                if device.exported {
                    device.advertise(out);
                } else {
                    device.export(out);
                }
            }
        });
    }

    /// The toy is switched off and BlueZ drops its object (`InterfacesRemoved`), as it does
    /// when a temporary device's timeout passes. It stays known to the simulation
    /// ([`SimulatedBluez::switch_on`] brings it back).
    pub fn remove(&self, address: &str) {
        self.with_device(address, |device, out| {
            device.in_range = false;
            device.unexport(out);
        });
    }

    /// Powers the adapter off (connected devices drop, discovery stops) or on.
    pub fn set_powered(&self, on: bool) {
        self.inner.change(|state, out| state.set_powered(on, out));
    }

    /// Plugs the adapter in (its object appears, powered and not discovering); no change if
    /// there is one.
    pub fn add_adapter(&self) {
        self.inner.change(|state, out| state.add_adapter(out));
    }

    /// Unplugs the adapter: its devices' links drop and their objects go, then its own. The
    /// peripherals stay known to the simulation.
    pub fn remove_adapter(&self) {
        self.inner.change(|state, out| state.remove_adapter(out));
    }

    /// Whether the adapter is plugged in.
    pub fn has_adapter(&self) -> bool {
        self.inner.state.lock().adapter
    }

    /// Refuses (or allows again) powering the adapter on, as an rfkill block does.
    pub fn block_power(&self, blocked: bool) {
        self.inner.change(|state, _| state.power_blocked = blocked);
    }

    /// Sets the faults a peripheral injects from now on.
    pub fn set_faults(&self, address: &str, faults: Faults) {
        self.with_device(address, |device, _| device.spec.faults = faults);
    }

    /// The peripheral notifies `data` on `characteristic`; delivered only while it is
    /// notifying. Says whether it was.
    pub fn notify(&self, address: &str, characteristic: Uuid, data: &[u8]) -> bool {
        self.with_device(address, |device, out| {
            device.notify(characteristic, data, out)
        })
    }

    /// Queues an answer for the next `ReadValue` of `characteristic` (before its value).
    pub fn queue_read(&self, address: &str, characteristic: Uuid, data: &[u8]) {
        self.with_device(address, |device, _| {
            device
                .reads
                .entry(characteristic)
                .or_default()
                .push_back(data.to_vec());
        });
    }

    /// Sets a characteristic's value (what `ReadValue` answers), now and on later
    /// connections.
    pub fn set_value(&self, address: &str, characteristic: Uuid, data: &[u8]) {
        self.with_device(address, |device, _| {
            for spec in device
                .spec
                .services
                .iter_mut()
                .flat_map(|s| s.characteristics.iter_mut())
                .filter(|c| c.uuid == characteristic)
            {
                spec.value = data.to_vec();
            }
            if let Some(live) = device.characteristic(characteristic) {
                live.value = data.to_vec();
            }
        });
    }

    /// BlueZ restarts: it leaves the bus without a signal (as a crash does), forgets the
    /// devices it had (connections included), and comes back, adapter powered, not
    /// discovering.
    pub async fn restart(&self) -> Result<(), BluezError> {
        if let Some(io) = self.inner.disconnect() {
            let _ = io.await;
        }
        {
            let mut state = self.inner.state.lock();
            state.discovering = false;
            state.discovery_clients.clear();
            state.powered = true;
            let adapter = state.adapter;
            for device in &mut state.devices {
                let mut lost = Vec::new();
                device.disconnect(&mut lost);
                device.exported = adapter && device.spec.paired;
            }
        }
        self.inner.connect(&self.address).await?;
        self.inner.bump();
        Ok(())
    }

    /// Every GATT operation on a peripheral so far, in order.
    pub fn operations(&self, address: &str) -> Vec<Operation> {
        self.read(address, |device| device.log.clone())
    }

    /// The writes to one characteristic so far, in order (failed ones included).
    pub fn writes(&self, address: &str, characteristic: Uuid) -> Vec<Write> {
        self.read(address, |device| {
            device
                .log
                .iter()
                .filter_map(|op| match op {
                    Operation::Write {
                        characteristic: c,
                        data,
                        kind,
                    } if *c == characteristic => Some(Write {
                        data: data.clone(),
                        kind: *kind,
                    }),
                    _ => None,
                })
                .collect()
        })
    }

    /// Whether a client is connected to the peripheral.
    pub fn is_connected(&self, address: &str) -> bool {
        self.read(address, |device| device.connected)
    }

    /// How many times a client connected to it.
    pub fn connections(&self, address: &str) -> u32 {
        self.read(address, |device| device.connects)
    }

    /// Whether its object is on the bus.
    pub fn is_exported(&self, address: &str) -> bool {
        self.read(address, |device| device.exported)
    }

    /// Whether `characteristic` is notifying.
    pub fn is_notifying(&self, address: &str, characteristic: Uuid) -> bool {
        self.read(address, |device| {
            device
                .services
                .iter()
                .flat_map(|s| s.characteristics.iter())
                .any(|c| c.uuid == characteristic && c.notifying)
        })
    }

    /// Whether the adapter is discovering (for any client).
    pub fn is_discovering(&self) -> bool {
        self.inner.state.lock().discovering
    }

    /// How many clients have a discovery session.
    pub fn discovery_sessions(&self) -> usize {
        self.inner.state.lock().discovery_clients.len()
    }

    /// Whether the adapter is powered.
    pub fn is_powered(&self) -> bool {
        self.inner.state.lock().powered
    }

    /// Every discovery filter set so far, as `Key=value` text.
    pub fn discovery_filters(&self) -> Vec<String> {
        self.inner.state.lock().filters.clone()
    }

    /// Waits until `check` returns something (it is asked again after every change the
    /// simulation sees: a call answered, a signal sent), at most `limit`.
    pub async fn wait_until<T>(
        &self,
        limit: Duration,
        mut check: impl FnMut(&Self) -> Option<T>,
    ) -> Result<T, TimedOut> {
        let mut changes = self.inner.version.subscribe();
        tokio::time::timeout(limit, async {
            loop {
                changes.borrow_and_update();
                if let Some(found) = check(self) {
                    return found;
                }
                if changes.changed().await.is_err() {
                    pending::<()>().await;
                }
            }
        })
        .await
        .map_err(|_| TimedOut(limit))
    }

    /// Waits until `check` holds, at most `limit`.
    pub async fn wait_for(
        &self,
        limit: Duration,
        mut check: impl FnMut(&Self) -> bool,
    ) -> Result<(), TimedOut> {
        self.wait_until(limit, |sim| check(sim).then_some(())).await
    }
}

impl Drop for SimulatedBluez {
    fn drop(&mut self) {
        self.inner.disconnect();
        self.bus.take();
    }
}

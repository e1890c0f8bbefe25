//! The simulated BlueZ's object tree: the adapter, the peripherals' device objects and, while
//! one is connected, its GATT services and characteristics; their properties as BlueZ spells
//! them, and the signals each change sends (`PropertiesChanged`, `InterfacesAdded`,
//! `InterfacesRemoved`), collected for the caller to send once the lock is released.

use std::collections::{HashMap, VecDeque};

use dbus::Message;
use dbus::Path;
use dbus::arg::{PropMap, RefArg, Variant};
use dbus::message::SignalArgs;
use dbus::nonblock::stdintf::org_freedesktop_dbus::{
    ObjectManagerInterfacesAdded, ObjectManagerInterfacesRemoved, PropertiesPropertiesChanged,
};
use uuid::Uuid;

use super::peripheral::PeripheralSpec;

/// The one adapter's object path.
pub(super) const ADAPTER: &str = "/org/bluez/hci0";
pub(super) const ADAPTER1: &str = "org.bluez.Adapter1";
pub(super) const DEVICE1: &str = "org.bluez.Device1";
pub(super) const SERVICE1: &str = "org.bluez.GattService1";
pub(super) const CHARACTERISTIC1: &str = "org.bluez.GattCharacteristic1";
pub(super) const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
pub(super) const INTROSPECTABLE: &str = "org.freedesktop.DBus.Introspectable";

/// The adapter's own address.
const ADAPTER_ADDRESS: &str = "00:1A:7D:DA:71:13";

/// How a write asked to be carried out (`WriteValue`'s `type` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// `request`: acknowledged by the device (write with response).
    Request,
    /// `command`: not acknowledged (write without response).
    Command,
    /// `reliable`.
    Reliable,
    /// No `type` option given (BlueZ then picks from the flags).
    Unspecified,
}

/// One GATT operation a client carried out on a peripheral, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// `WriteValue`, failed ones included.
    Write {
        /// The characteristic.
        characteristic: Uuid,
        /// The bytes.
        data: Vec<u8>,
        /// How.
        kind: WriteKind,
    },
    /// `ReadValue`.
    Read {
        /// The characteristic.
        characteristic: Uuid,
    },
    /// `StartNotify`.
    Subscribe {
        /// The characteristic.
        characteristic: Uuid,
    },
    /// `StopNotify`.
    Unsubscribe {
        /// The characteristic.
        characteristic: Uuid,
    },
}

pub(super) fn variant<T: RefArg + 'static>(value: T) -> Variant<Box<dyn RefArg>> {
    Variant(Box::new(value))
}

fn path(text: &str) -> Path<'static> {
    Path::new(text.to_owned()).expect("BlueZ object paths are valid")
}

/// `PropertiesChanged` for one interface of one object.
pub(super) fn changed(object: &str, interface: &str, properties: PropMap) -> Message {
    PropertiesPropertiesChanged {
        interface_name: interface.to_owned(),
        changed_properties: properties,
        invalidated_properties: Vec::new(),
    }
    .to_emit_message(&path(object))
}

fn one(name: &str, value: Variant<Box<dyn RefArg>>) -> PropMap {
    PropMap::from([(name.to_owned(), value)])
}

fn added(object: &str, interface: &str, properties: PropMap) -> Message {
    ObjectManagerInterfacesAdded {
        object: path(object),
        interfaces: HashMap::from([(interface.to_owned(), properties)]),
    }
    .to_emit_message(&path("/"))
}

fn removed(object: &str, interface: &str) -> Message {
    ObjectManagerInterfacesRemoved {
        object: path(object),
        interfaces: vec![
            interface.to_owned(),
            PROPERTIES.to_owned(),
            INTROSPECTABLE.to_owned(),
        ],
    }
    .to_emit_message(&path("/"))
}

/// A live characteristic of a connected peripheral.
pub(super) struct Characteristic {
    pub path: String,
    pub uuid: Uuid,
    pub flags: Vec<String>,
    pub value: Vec<u8>,
    pub notifying: bool,
}

impl Characteristic {
    fn can_notify(&self) -> bool {
        self.flags.iter().any(|f| f == "notify" || f == "indicate")
    }
}

/// A live service of a connected peripheral.
pub(super) struct Service {
    pub path: String,
    pub uuid: Uuid,
    pub characteristics: Vec<Characteristic>,
}

/// One peripheral and what BlueZ knows of it.
pub(super) struct Device {
    pub spec: PeripheralSpec,
    pub path: String,
    /// Switched on and advertising.
    pub in_range: bool,
    /// Its object is on the bus.
    pub exported: bool,
    pub connected: bool,
    pub resolved: bool,
    pub trusted: bool,
    /// Its GATT objects, while connected.
    pub services: Vec<Service>,
    pub log: Vec<Operation>,
    /// The answers of calls left hanging (a Connect), sent when a Disconnect cancels them.
    pub held: Vec<Message>,
    pub connects: u32,
    /// Answers queued for `ReadValue`, per characteristic, before its value.
    pub reads: HashMap<Uuid, VecDeque<Vec<u8>>>,
}

impl Device {
    pub(super) fn new(spec: PeripheralSpec) -> Self {
        Self {
            path: spec.path(ADAPTER),
            spec,
            in_range: true,
            exported: false,
            connected: false,
            resolved: false,
            trusted: false,
            services: Vec::new(),
            log: Vec::new(),
            held: Vec::new(),
            connects: 0,
            reads: HashMap::new(),
        }
    }

    pub(super) fn properties(&self) -> PropMap {
        let spec = &self.spec;
        let mut map = PropMap::new();
        map.insert("Address".into(), variant(spec.address.clone()));
        let kind = if spec.random_address {
            "random"
        } else {
            "public"
        };
        map.insert("AddressType".into(), variant(kind.to_owned()));
        if let Some(name) = &spec.name {
            map.insert("Name".into(), variant(name.clone()));
        }
        map.insert("Alias".into(), variant(spec.alias()));
        map.insert("Paired".into(), variant(spec.paired));
        map.insert("Bonded".into(), variant(spec.paired));
        map.insert("Trusted".into(), variant(self.trusted));
        map.insert("Blocked".into(), variant(false));
        map.insert("LegacyPairing".into(), variant(false));
        map.insert("Connected".into(), variant(self.connected));
        map.insert("ServicesResolved".into(), variant(self.resolved));
        map.insert("Adapter".into(), variant(path(ADAPTER)));
        let uuids: Vec<String> = spec
            .advertised_services
            .iter()
            .map(Uuid::to_string)
            .collect();
        map.insert("UUIDs".into(), variant(uuids));
        if self.in_range {
            map.insert("RSSI".into(), variant(spec.rssi));
        }
        if !spec.manufacturer_data.is_empty() {
            map.insert("ManufacturerData".into(), self.manufacturer_data());
        }
        if !spec.service_data.is_empty() {
            let data: HashMap<String, Variant<Box<dyn RefArg>>> = spec
                .service_data
                .iter()
                .map(|(uuid, data)| (uuid.to_string(), variant(data.clone())))
                .collect();
            map.insert("ServiceData".into(), variant(data));
        }
        map
    }

    fn manufacturer_data(&self) -> Variant<Box<dyn RefArg>> {
        let data: HashMap<u16, Variant<Box<dyn RefArg>>> = self
            .spec
            .manufacturer_data
            .iter()
            .map(|(company, data)| (*company, variant(data.clone())))
            .collect();
        variant(data)
    }

    /// The object appears (`InterfacesAdded`): BlueZ saw it advertise.
    pub(super) fn export(&mut self, out: &mut Vec<Message>) {
        if !self.exported {
            self.exported = true;
            out.push(added(&self.path, DEVICE1, self.properties()));
        }
    }

    /// Another advertisement while discovering: BlueZ reports its RSSI (and manufacturer data)
    /// again.
    pub(super) fn advertise(&mut self, out: &mut Vec<Message>) {
        if !self.exported || !self.in_range {
            return;
        }
        let mut changes = one("RSSI", variant(self.spec.rssi));
        if !self.spec.manufacturer_data.is_empty() {
            changes.insert("ManufacturerData".into(), self.manufacturer_data());
        }
        out.push(changed(&self.path, DEVICE1, changes));
    }

    /// Connects: `Connected`, the GATT objects, then `ServicesResolved`.
    pub(super) fn connect(&mut self, out: &mut Vec<Message>) {
        if self.connected {
            return;
        }
        self.connects += 1;
        self.connected = true;
        out.push(changed(
            &self.path,
            DEVICE1,
            one("Connected", variant(true)),
        ));
        let mut handle = 0x0010_u16;
        for service in &self.spec.services {
            let service_path = format!("{}/service{handle:04x}", self.path);
            let mut characteristics = Vec::new();
            for characteristic in &service.characteristics {
                handle += 2;
                characteristics.push(Characteristic {
                    path: format!("{service_path}/char{handle:04x}"),
                    uuid: characteristic.uuid,
                    flags: characteristic.flags.clone(),
                    value: characteristic.value.clone(),
                    notifying: false,
                });
            }
            let live = Service {
                path: service_path,
                uuid: service.uuid,
                characteristics,
            };
            out.push(added(&live.path, SERVICE1, self.service_properties(&live)));
            for characteristic in &live.characteristics {
                out.push(added(
                    &characteristic.path,
                    CHARACTERISTIC1,
                    characteristic_properties(&live, characteristic),
                ));
            }
            self.services.push(live);
            handle = (handle & 0xfff0) + 0x10;
        }
        self.resolved = true;
        out.push(changed(
            &self.path,
            DEVICE1,
            one("ServicesResolved", variant(true)),
        ));
    }

    /// Disconnects: `ServicesResolved` false, the GATT objects removed, `Connected` false; a
    /// hanging Connect is answered with a failure.
    pub(super) fn disconnect(&mut self, out: &mut Vec<Message>) {
        out.append(&mut self.held);
        if !self.connected {
            return;
        }
        self.resolved = false;
        out.push(changed(
            &self.path,
            DEVICE1,
            one("ServicesResolved", variant(false)),
        ));
        for service in self.services.drain(..) {
            for characteristic in &service.characteristics {
                out.push(removed(&characteristic.path, CHARACTERISTIC1));
            }
            out.push(removed(&service.path, SERVICE1));
        }
        self.connected = false;
        out.push(changed(
            &self.path,
            DEVICE1,
            one("Connected", variant(false)),
        ));
    }

    /// The object goes (`InterfacesRemoved`), disconnected first.
    pub(super) fn unexport(&mut self, out: &mut Vec<Message>) {
        self.disconnect(out);
        if self.exported {
            self.exported = false;
            out.push(removed(&self.path, DEVICE1));
        }
    }

    pub(super) fn service_properties(&self, service: &Service) -> PropMap {
        let mut map = PropMap::new();
        map.insert("UUID".into(), variant(service.uuid.to_string()));
        map.insert("Primary".into(), variant(true));
        map.insert("Device".into(), variant(path(&self.path)));
        map.insert("Includes".into(), variant(Vec::<Path<'static>>::new()));
        map
    }

    pub(super) fn characteristic(&mut self, uuid: Uuid) -> Option<&mut Characteristic> {
        self.services
            .iter_mut()
            .flat_map(|s| s.characteristics.iter_mut())
            .find(|c| c.uuid == uuid)
    }

    /// Notifies `data` on a characteristic (its `Value` changes); sent only while it is
    /// notifying. Says whether it was sent.
    pub(super) fn notify(&mut self, uuid: Uuid, data: &[u8], out: &mut Vec<Message>) -> bool {
        let Some(characteristic) = self.characteristic(uuid) else {
            return false;
        };
        characteristic.value = data.to_vec();
        if !characteristic.notifying {
            return false;
        }
        out.push(changed(
            &characteristic.path,
            CHARACTERISTIC1,
            one("Value", variant(data.to_vec())),
        ));
        true
    }
}

pub(super) fn characteristic_properties(service: &Service, c: &Characteristic) -> PropMap {
    let mut map = PropMap::new();
    map.insert("UUID".into(), variant(c.uuid.to_string()));
    map.insert("Service".into(), variant(path(&service.path)));
    map.insert("Value".into(), variant(c.value.clone()));
    map.insert("Flags".into(), variant(c.flags.clone()));
    map.insert("MTU".into(), variant(517_u16));
    if c.can_notify() {
        map.insert("Notifying".into(), variant(c.notifying));
    }
    map
}

/// An error reply.
pub(super) fn error(call: &Message, name: &str, text: &str) -> Message {
    let name = dbus::strings::ErrorName::new(name.to_owned()).expect("a valid error name");
    let text = std::ffi::CString::new(text).unwrap_or_default();
    call.error(&name, &text)
}

/// An object: its own interface with its properties (none for the plain nodes above the
/// adapter), and its children's names.
pub(super) type Object = (Option<(&'static str, PropMap)>, Vec<String>);

/// Everything the simulated BlueZ holds.
pub(super) struct State {
    /// The adapter is plugged in (its object is on the bus).
    pub adapter: bool,
    pub powered: bool,
    /// Some client's discovery session runs.
    pub discovering: bool,
    /// The clients (unique bus names) with a discovery session, as BlueZ keeps them: each
    /// starts one at most, and discovery runs while any has one.
    pub discovery_clients: Vec<String>,
    /// Powering on is refused (as an rfkill block would).
    pub power_blocked: bool,
    /// Every discovery filter set, as text, in order.
    pub filters: Vec<String>,
    pub devices: Vec<Device>,
}

impl State {
    pub(super) fn new() -> Self {
        Self {
            adapter: true,
            powered: true,
            discovering: false,
            discovery_clients: Vec::new(),
            power_blocked: false,
            filters: Vec::new(),
            devices: Vec::new(),
        }
    }

    pub(super) fn adapter_properties(&self) -> PropMap {
        let mut map = PropMap::new();
        map.insert("Address".into(), variant(ADAPTER_ADDRESS.to_owned()));
        map.insert("AddressType".into(), variant("public".to_owned()));
        map.insert("Name".into(), variant("plugwire-sim".to_owned()));
        map.insert("Alias".into(), variant("plugwire-sim".to_owned()));
        map.insert("Class".into(), variant(0_u32));
        map.insert("Powered".into(), variant(self.powered));
        let power = if self.powered { "on" } else { "off" };
        map.insert("PowerState".into(), variant(power.to_owned()));
        map.insert("Discoverable".into(), variant(false));
        map.insert("DiscoverableTimeout".into(), variant(180_u32));
        map.insert("Pairable".into(), variant(true));
        map.insert("PairableTimeout".into(), variant(0_u32));
        map.insert("Discovering".into(), variant(self.discovering));
        map.insert("UUIDs".into(), variant(Vec::<String>::new()));
        map.insert("Modalias".into(), variant("usb:v1D6Bp0246d0548".to_owned()));
        map.insert(
            "Roles".into(),
            variant(vec!["central".to_owned(), "peripheral".to_owned()]),
        );
        map
    }

    pub(super) fn device_mut(&mut self, address: &str) -> Option<&mut Device> {
        self.devices
            .iter_mut()
            .find(|d| d.spec.address.eq_ignore_ascii_case(address))
    }

    pub(super) fn device(&self, address: &str) -> Option<&Device> {
        self.devices
            .iter()
            .find(|d| d.spec.address.eq_ignore_ascii_case(address))
    }

    pub(super) fn device_at_mut(&mut self, object: &str) -> Option<&mut Device> {
        self.devices
            .iter_mut()
            .find(|d| d.exported && d.path == object)
    }

    /// The exported device whose object is `object` or holds it.
    pub(super) fn owner_mut(&mut self, object: &str) -> Option<&mut Device> {
        self.devices.iter_mut().find(|d| {
            d.exported
                && (d.path == object
                    || object
                        .strip_prefix(&d.path)
                        .is_some_and(|rest| rest.starts_with('/')))
        })
    }

    pub(super) fn set_discovering(&mut self, on: bool, out: &mut Vec<Message>) {
        if self.discovering == on {
            return;
        }
        self.discovering = on;
        out.push(changed(ADAPTER, ADAPTER1, one("Discovering", variant(on))));
        if on {
            for device in self.devices.iter_mut().filter(|d| d.in_range) {
                if device.exported {
                    if !device.connected {
                        device.advertise(out);
                    }
                } else {
                    device.export(out);
                }
            }
        }
    }

    pub(super) fn set_powered(&mut self, on: bool, out: &mut Vec<Message>) {
        if self.powered == on {
            return;
        }
        if !on {
            // BlueZ ends every client's discovery session when the adapter powers off.
            self.discovery_clients.clear();
            self.set_discovering(false, out);
            for device in &mut self.devices {
                device.disconnect(out);
            }
        }
        self.powered = on;
        out.push(changed(ADAPTER, ADAPTER1, one("Powered", variant(on))));
        let power = if on { "on" } else { "off" };
        out.push(changed(
            ADAPTER,
            ADAPTER1,
            one("PowerState", variant(power.to_owned())),
        ));
    }

    /// A client starts discovery: refused if it has a session already (`InProgress`, as
    /// BlueZ answers) or the adapter is off. The error's name and text, if refused.
    pub(super) fn start_discovery(
        &mut self,
        client: &str,
        out: &mut Vec<Message>,
    ) -> Result<(), (&'static str, &'static str)> {
        if !self.powered {
            return Err(("org.bluez.Error.NotReady", "Resource Not Ready"));
        }
        if self.discovery_clients.iter().any(|c| c == client) {
            return Err((
                "org.bluez.Error.InProgress",
                "Operation already in progress",
            ));
        }
        self.discovery_clients.push(client.to_owned());
        self.set_discovering(true, out);
        Ok(())
    }

    /// A client stops its discovery session; discovery ends with the last one.
    pub(super) fn stop_discovery(
        &mut self,
        client: &str,
        out: &mut Vec<Message>,
    ) -> Result<(), (&'static str, &'static str)> {
        if !self.powered {
            return Err(("org.bluez.Error.NotReady", "Resource Not Ready"));
        }
        let Some(at) = self.discovery_clients.iter().position(|c| c == client) else {
            return Err(("org.bluez.Error.Failed", "No discovery started"));
        };
        self.discovery_clients.remove(at);
        if self.discovery_clients.is_empty() {
            self.set_discovering(false, out);
        }
        Ok(())
    }

    /// A client left the bus: its discovery session ends.
    pub(super) fn client_left(&mut self, client: &str, out: &mut Vec<Message>) {
        let before = self.discovery_clients.len();
        self.discovery_clients.retain(|c| c != client);
        if before != self.discovery_clients.len() && self.discovery_clients.is_empty() {
            self.set_discovering(false, out);
        }
    }

    /// The adapter is plugged in: its object appears (`InterfacesAdded`), powered, not
    /// discovering; paired devices appear with it.
    pub(super) fn add_adapter(&mut self, out: &mut Vec<Message>) {
        if self.adapter {
            return;
        }
        self.adapter = true;
        self.powered = true;
        out.push(added(ADAPTER, ADAPTER1, self.adapter_properties()));
        for device in self.devices.iter_mut().filter(|d| d.spec.paired) {
            device.export(out);
        }
    }

    /// The adapter is unplugged: its devices' links drop and their objects go, then its own.
    pub(super) fn remove_adapter(&mut self, out: &mut Vec<Message>) {
        if !self.adapter {
            return;
        }
        for device in &mut self.devices {
            device.unexport(out);
        }
        self.discovery_clients.clear();
        self.discovering = false;
        self.adapter = false;
        out.push(removed(ADAPTER, ADAPTER1));
    }

    /// Every object on the bus with its interfaces and properties (`GetManagedObjects`).
    pub(super) fn managed_objects(&self) -> HashMap<Path<'static>, HashMap<String, PropMap>> {
        let mut objects = HashMap::new();
        if !self.adapter {
            return objects;
        }
        objects.insert(
            path(ADAPTER),
            HashMap::from([(ADAPTER1.to_owned(), self.adapter_properties())]),
        );
        for device in self.devices.iter().filter(|d| d.exported) {
            objects.insert(
                path(&device.path),
                HashMap::from([(DEVICE1.to_owned(), device.properties())]),
            );
            for service in &device.services {
                objects.insert(
                    path(&service.path),
                    HashMap::from([(SERVICE1.to_owned(), device.service_properties(service))]),
                );
                for c in &service.characteristics {
                    objects.insert(
                        path(&c.path),
                        HashMap::from([(
                            CHARACTERISTIC1.to_owned(),
                            characteristic_properties(service, c),
                        )]),
                    );
                }
            }
        }
        objects
    }

    /// The interface and properties of the object at `object`, and the names of its
    /// children (for introspection). `None`: no such object.
    pub(super) fn object(&self, object: &str) -> Option<Object> {
        let child = |full: &str| {
            full.rsplit('/')
                .next()
                .map(str::to_owned)
                .unwrap_or_default()
        };
        match object {
            "/" => return Some((None, vec!["org".to_owned()])),
            "/org" => return Some((None, vec!["bluez".to_owned()])),
            "/org/bluez" => {
                let adapters = if self.adapter {
                    vec!["hci0".to_owned()]
                } else {
                    Vec::new()
                };
                return Some((None, adapters));
            }
            _ if !self.adapter => return None,
            ADAPTER => {
                let children = self
                    .devices
                    .iter()
                    .filter(|d| d.exported)
                    .map(|d| child(&d.path))
                    .collect();
                return Some((Some((ADAPTER1, self.adapter_properties())), children));
            }
            _ => {}
        }
        for device in self.devices.iter().filter(|d| d.exported) {
            if device.path == object {
                let children = device.services.iter().map(|s| child(&s.path)).collect();
                return Some((Some((DEVICE1, device.properties())), children));
            }
            for service in &device.services {
                if service.path == object {
                    let children = service
                        .characteristics
                        .iter()
                        .map(|c| child(&c.path))
                        .collect();
                    return Some((
                        Some((SERVICE1, device.service_properties(service))),
                        children,
                    ));
                }
                for c in &service.characteristics {
                    if c.path == object {
                        return Some((
                            Some((CHARACTERISTIC1, characteristic_properties(service, c))),
                            Vec::new(),
                        ));
                    }
                }
            }
        }
        None
    }
}

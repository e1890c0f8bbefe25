//! Peripherals described as data: what one advertises, the GATT services and characteristics
//! it offers once connected, a script of answers to writes, and the faults to inject.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use plugwire_devices::config::{Advertisement, BtleEntry, DeviceConfig};
use uuid::Uuid;

/// The standard Battery service (0x180F).
pub const BATTERY_SERVICE: Uuid = Uuid::from_u128(0x0000180f_0000_1000_8000_00805f9b34fb);
/// The standard Battery Level characteristic (0x2A19): one byte, percent.
pub const BATTERY_LEVEL: Uuid = Uuid::from_u128(0x00002a19_0000_1000_8000_00805f9b34fb);

/// The flags every characteristic of a peripheral built from the device database gets: it
/// can be read, written either way, and notify.
pub const ALL_FLAGS: &[&str] = &["read", "write", "write-without-response", "notify"];

/// One GATT characteristic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacteristicSpec {
    /// Its UUID.
    pub uuid: Uuid,
    /// BlueZ's flag names (`read`, `write`, `write-without-response`, `notify`, ...).
    pub flags: Vec<String>,
    /// Its value before anything is written or notified.
    pub value: Vec<u8>,
}

/// One primary GATT service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    /// Its UUID.
    pub uuid: Uuid,
    /// Its characteristics, in handle order.
    pub characteristics: Vec<CharacteristicSpec>,
}

/// A scripted answer: when `when` is written to the characteristic `on`, the peripheral
/// notifies `with` on `notify` (delivered only while that characteristic is notifying, as a
/// real device's would be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The characteristic written.
    pub on: Uuid,
    /// The exact bytes written.
    pub when: Vec<u8>,
    /// The characteristic that answers.
    pub notify: Uuid,
    /// The answer.
    pub with: Vec<u8>,
}

/// Faults to inject; they can be changed while the peripheral runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// `Device1.Connect` is never answered (until a `Disconnect` cancels it).
    pub connect_hangs: bool,
    /// `Device1.Connect` fails at once.
    pub connect_fails: bool,
    /// The next this many `WriteValue` calls fail (`org.bluez.Error.Failed`); each failure
    /// counts one down.
    pub failing_writes: usize,
    /// Every `WriteValue` is answered this late (and its scripted answer comes after it).
    pub write_latency: Duration,
}

/// A peripheral: its advertisement, its GATT database, its script and its faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeripheralSpec {
    /// The advertised name (`Name`; `Alias` is the name, else the address with dashes).
    pub name: Option<String>,
    /// Its address, `AA:BB:CC:DD:EE:FF`.
    pub address: String,
    /// `random` rather than `public` address type.
    pub random_address: bool,
    /// Signal strength reported with each advertisement.
    pub rssi: i16,
    /// Service UUIDs in the advertisement (`UUIDs`).
    pub advertised_services: Vec<Uuid>,
    /// Manufacturer data by company id.
    pub manufacturer_data: BTreeMap<u16, Vec<u8>>,
    /// Service data by service UUID.
    pub service_data: BTreeMap<Uuid, Vec<u8>>,
    /// Paired (BlueZ keeps a paired device's object even when it is out of range).
    pub paired: bool,
    /// Advertises again this often while switched on and not connected (each one reported
    /// while the adapter discovers); `None`: only when told ([`super::SimulatedBluez::advertise`]).
    pub advertising_interval: Option<Duration>,
    /// The GATT services, resolved on connection.
    pub services: Vec<ServiceSpec>,
    /// Scripted answers, tried in order; the first that matches a write answers it.
    pub replies: Vec<Reply>,
    /// Faults to inject.
    pub faults: Faults,
    /// The database's endpoint names for its characteristics (filled by
    /// [`PeripheralSpec::from_database`]): endpoint → characteristic UUID.
    pub endpoints: BTreeMap<String, Uuid>,
}

impl PeripheralSpec {
    /// A peripheral advertising `name` at `address`, with no services yet.
    pub fn new(name: &str, address: &str) -> Self {
        Self {
            name: Some(name.to_owned()),
            address: address.to_owned(),
            random_address: false,
            rssi: -52,
            advertised_services: Vec::new(),
            manufacturer_data: BTreeMap::new(),
            service_data: BTreeMap::new(),
            paired: false,
            advertising_interval: None,
            services: Vec::new(),
            replies: Vec::new(),
            faults: Faults::default(),
            endpoints: BTreeMap::new(),
        }
    }

    /// A peripheral shaped as the device database expects the model advertising `name`: the
    /// services and characteristics of the Bluetooth entry that claims the name (where the
    /// entry lists several services for the same endpoints, as Lovense's does for its
    /// generations, only the first; a real device has one of them), each characteristic
    /// with [`ALL_FLAGS`]. `None` when no Bluetooth entry claims the name.
    pub fn from_database(config: &DeviceConfig, name: &str, address: &str) -> Option<Self> {
        let advertisement = Advertisement {
            name: name.to_owned(),
            ..Advertisement::default()
        };
        let (_, btle) = config.match_advertisement(&advertisement)?;
        let mut spec = Self::new(name, address);
        spec.add_entry_services(btle);
        Some(spec)
    }

    fn add_entry_services(&mut self, btle: &BtleEntry) {
        for (service, endpoints) in &btle.services {
            let Ok(service) = Uuid::from_str(service) else {
                continue;
            };
            if endpoints
                .keys()
                .all(|name| self.endpoints.contains_key(name))
            {
                continue;
            }
            let mut characteristics = Vec::new();
            for (name, characteristic) in endpoints {
                let Ok(uuid) = Uuid::from_str(characteristic) else {
                    continue;
                };
                if self.endpoints.contains_key(name) {
                    continue;
                }
                self.endpoints.insert(name.clone(), uuid);
                if characteristics
                    .iter()
                    .any(|c: &CharacteristicSpec| c.uuid == uuid)
                {
                    continue;
                }
                characteristics.push(CharacteristicSpec {
                    uuid,
                    flags: ALL_FLAGS.iter().map(|f| (*f).to_owned()).collect(),
                    value: Vec::new(),
                });
            }
            if !characteristics.is_empty() {
                self.services.push(ServiceSpec {
                    uuid: service,
                    characteristics,
                });
            }
        }
    }

    /// A Lovense toy advertising `name` (`LVS-...`), shaped by the database, that answers
    /// `DeviceType;` with `device_type` (`Z:11:0082059AD3BD;`: a Hush). More answers:
    /// [`PeripheralSpec::with_reply`].
    pub fn lovense(config: &DeviceConfig, name: &str, address: &str, device_type: &str) -> Self {
        let mut spec = Self::from_database(config, name, address)
            .expect("the database claims LVS- names for Lovense");
        let tx = spec.endpoint("tx").expect("Lovense has a tx endpoint");
        let rx = spec.endpoint("rx").expect("Lovense has an rx endpoint");
        spec.replies.push(Reply {
            on: tx,
            when: b"DeviceType;".to_vec(),
            notify: rx,
            with: device_type.as_bytes().to_vec(),
        });
        spec
    }

    /// The characteristic behind a database endpoint name (`tx`, `rx`, `rxblebattery`, ...).
    pub fn endpoint(&self, name: &str) -> Option<Uuid> {
        self.endpoints.get(name).copied()
    }

    /// Adds a service with characteristics (UUID and flags each).
    pub fn with_service(mut self, uuid: Uuid, characteristics: &[(Uuid, &[&str])]) -> Self {
        self.services.push(ServiceSpec {
            uuid,
            characteristics: characteristics
                .iter()
                .map(|(uuid, flags)| CharacteristicSpec {
                    uuid: *uuid,
                    flags: flags.iter().map(|f| (*f).to_owned()).collect(),
                    value: Vec::new(),
                })
                .collect(),
        });
        self
    }

    /// Adds a scripted answer: writing `when` to `on` notifies `with` on `notify`.
    pub fn with_reply(mut self, on: Uuid, when: &[u8], notify: Uuid, with: &[u8]) -> Self {
        self.replies.push(Reply {
            on,
            when: when.to_vec(),
            notify,
            with: with.to_vec(),
        });
        self
    }

    /// Sets the standard Battery Level to `percent`, adding the Battery service if the
    /// peripheral has no Battery Level characteristic yet.
    pub fn with_battery(mut self, percent: u8) -> Self {
        let existing = self
            .services
            .iter_mut()
            .flat_map(|s| s.characteristics.iter_mut())
            .find(|c| c.uuid == BATTERY_LEVEL);
        match existing {
            Some(characteristic) => characteristic.value = vec![percent],
            None => self.services.push(ServiceSpec {
                uuid: BATTERY_SERVICE,
                characteristics: vec![CharacteristicSpec {
                    uuid: BATTERY_LEVEL,
                    flags: vec!["read".to_owned(), "notify".to_owned()],
                    value: vec![percent],
                }],
            }),
        }
        self
    }

    /// Advertises every `interval` while on and not connected.
    pub fn advertising_every(mut self, interval: Duration) -> Self {
        self.advertising_interval = Some(interval);
        self
    }

    /// Sets the faults to inject.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The D-Bus object path BlueZ gives it under `adapter`.
    pub(super) fn path(&self, adapter: &str) -> String {
        format!("{adapter}/dev_{}", self.address.replace(':', "_"))
    }

    /// The `Alias` BlueZ reports: the name, else the address with dashes.
    pub(super) fn alias(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| self.address.replace(':', "-"))
    }
}

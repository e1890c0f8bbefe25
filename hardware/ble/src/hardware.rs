//! One connected Bluetooth LE device as the devices crate's `Hardware`: the configured
//! endpoints mapped to its characteristics, every call bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Duration;

use btleplug::api::{Characteristic, Peripheral as _, WriteType};
use btleplug::platform::Peripheral;
use futures::future::BoxFuture;
use plugwire_devices::config::BtleEntry;
use plugwire_devices::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::stack::device_call;

/// Maps the configured endpoint names to the device's characteristics.
pub(crate) fn map_endpoints(
    btle: &BtleEntry,
    characteristics: &BTreeSet<Characteristic>,
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
pub(crate) struct BleHardware {
    pub(crate) name: String,
    pub(crate) address: String,
    pub(crate) peripheral: Peripheral,
    pub(crate) endpoints: BTreeMap<Endpoint, Characteristic>,
    pub(crate) connected: watch::Sender<bool>,
    pub(crate) notify: broadcast::Sender<Notification>,
    pub(crate) limit: Duration,
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

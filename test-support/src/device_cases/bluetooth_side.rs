//! A case device over Bluetooth, as the player sees it: a simulated BlueZ peripheral whose GATT
//! operations are the hardware commands, mapped back to the database's endpoint names, and to
//! which the case's notifications, reads and disconnections are made.

use std::collections::BTreeMap;
use std::time::Duration;

use plugwire_devices::hardware::{Endpoint, HardwareWrite};
use plugwire_devices::recording::HardwareCommand;
use uuid::Uuid;

use crate::bluez::{Operation, SimulatedBluez, WriteKind};

/// A case device as a simulated peripheral.
pub(super) struct BluetoothSide<'a> {
    sim: &'a SimulatedBluez,
    address: String,
    by_endpoint: BTreeMap<Endpoint, Uuid>,
    by_characteristic: BTreeMap<Uuid, Endpoint>,
}

impl<'a> BluetoothSide<'a> {
    pub(super) fn new(
        sim: &'a SimulatedBluez,
        address: String,
        by_endpoint: BTreeMap<Endpoint, Uuid>,
        by_characteristic: BTreeMap<Uuid, Endpoint>,
    ) -> Self {
        Self {
            sim,
            address,
            by_endpoint,
            by_characteristic,
        }
    }

    fn endpoint(&self, characteristic: Uuid) -> Option<Endpoint> {
        self.by_characteristic.get(&characteristic).copied()
    }

    /// The peripheral's GATT operations as hardware commands (reads are not commands).
    fn commands(&self) -> Vec<HardwareCommand> {
        self.sim
            .operations(&self.address)
            .into_iter()
            .filter_map(|operation| match operation {
                Operation::Write {
                    characteristic,
                    data,
                    kind,
                } => Some(HardwareCommand::Write(HardwareWrite::new(
                    self.endpoint(characteristic)?,
                    data,
                    kind == WriteKind::Request,
                ))),
                Operation::Subscribe { characteristic } => {
                    Some(HardwareCommand::Subscribe(self.endpoint(characteristic)?))
                }
                Operation::Unsubscribe { characteristic } => {
                    Some(HardwareCommand::Unsubscribe(self.endpoint(characteristic)?))
                }
                Operation::Read { .. } => None,
            })
            .collect()
    }

    pub(super) async fn next_command(
        &self,
        seen: usize,
        limit: Duration,
    ) -> Option<HardwareCommand> {
        self.sim
            .wait_until(limit, |_| self.commands().get(seen).cloned())
            .await
            .ok()
    }

    pub(super) fn notify(&self, endpoint: Endpoint, data: &[u8]) {
        if let Some(characteristic) = self.by_endpoint.get(&endpoint) {
            self.sim.notify(&self.address, *characteristic, data);
        }
    }

    pub(super) fn queue_read(&self, endpoint: Endpoint, data: &[u8]) {
        if let Some(characteristic) = self.by_endpoint.get(&endpoint) {
            self.sim.queue_read(&self.address, *characteristic, data);
        }
    }

    pub(super) fn disconnect(&self) {
        self.sim.switch_off(&self.address);
    }
}

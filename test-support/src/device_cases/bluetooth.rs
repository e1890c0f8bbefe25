//! One play of a case over Bluetooth: each device is a peripheral of the simulated BlueZ,
//! shaped by the database entry that claims its name, found and attached by plugwire-ble
//! (btleplug, over D-Bus) while scanning; the hardware commands compared are the simulated
//! characteristics' `WriteValue`, `StartNotify` and `StopNotify` calls, mapped back to the
//! database's endpoint names.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use plugwire_ble::{BleManager, BleOptions};
use plugwire_core::message::SpecVersion;
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::hardware::{Endpoint, HardwareManager};
use plugwire_devices::{DeviceEvent as ManagerEvent, DeviceManager};
use uuid::Uuid;

use super::bluetooth_side::BluetoothSide;
use super::failure::{ATTACH_WAIT, CaseFailure};
use super::format::TestCase;
use super::messages::Client;
use super::player::{Played, Player, Side, check_name};
use crate::bluez::{PeripheralSpec, SimulatedBluez};

/// How long each expected command may take over the bus (connecting and resolving services
/// come before the first).
const COMMAND_WAIT: Duration = Duration::from_secs(2);

/// Limits on plugwire-ble's calls: the simulated stack answers at once.
const OPTIONS: BleOptions = BleOptions {
    start_timeout: Duration::from_secs(5),
    call_timeout: Duration::from_secs(5),
};

/// Plays a case for one client version over Bluetooth; `play` numbers the play, so each has
/// peripherals of its own.
pub(super) async fn play(
    case: &TestCase,
    config: &Arc<DeviceConfig>,
    version: SpecVersion,
    sim: &SimulatedBluez,
    play: u16,
) -> Result<(), CaseFailure> {
    let manager = Arc::new(DeviceManager::new());
    let mut events = manager.subscribe();
    let ble = BleManager::start(manager.clone(), config.clone(), OPTIONS)
        .await
        .map_err(|error| CaseFailure::Bluetooth(error.to_string()))?;
    let mut devices = Vec::new();
    let mut addresses = Vec::new();
    for (number, device) in case.devices.iter().enumerate() {
        let name = &device.identifier.name;
        let [high, low] = play.to_be_bytes();
        let address = format!("C4:4F:{high:02X}:{low:02X}:00:{:02X}", number % 256);
        let spec = PeripheralSpec::from_database(config, name, &address)
            .ok_or_else(|| CaseFailure::Unclaimed(name.clone()))?;
        let by_endpoint: BTreeMap<Endpoint, Uuid> = spec
            .endpoints
            .iter()
            .filter_map(|(name, uuid)| Some((name.parse().ok()?, *uuid)))
            .collect();
        let mut by_characteristic = BTreeMap::new();
        for (endpoint, uuid) in &by_endpoint {
            by_characteristic.entry(*uuid).or_insert(*endpoint);
        }
        sim.add(spec);
        addresses.push(address.clone());
        devices.push(Played {
            device: Side::Bluetooth(BluetoothSide::new(
                sim,
                address,
                by_endpoint,
                by_characteristic,
            )),
            seen: 0,
        });
    }
    let result = async {
        ble.start_scanning()
            .await
            .map_err(|error| CaseFailure::Bluetooth(error.to_string()))?;
        let mut player = Player {
            client: Client {
                manager: manager.clone(),
                version,
                battery_reads: Vec::new(),
            },
            devices,
            command_wait: COMMAND_WAIT,
        };
        player.run(&case.device_init, "device_init").await?;
        let mut listed = Vec::new();
        while listed.len() < case.devices.len() {
            match tokio::time::timeout(ATTACH_WAIT, events.recv()).await {
                Ok(Ok(ManagerEvent::Added(info))) => listed.push(info),
                Ok(Ok(_)) => {}
                _ => return Err(CaseFailure::NotListed),
            }
        }
        listed.sort_by_key(|info| info.device_index);
        for (device, info) in case.devices.iter().zip(&listed) {
            check_name(device.expected_name.as_deref(), Some(&info.device_name))?;
            if version >= SpecVersion::V3 {
                check_name(
                    device.expected_display_name.as_deref(),
                    info.device_display_name.as_deref(),
                )?;
            }
        }
        player.run(&case.device_commands, "device_commands").await?;
        for read in std::mem::take(&mut player.client.battery_reads) {
            read.await.unwrap_or(Ok(()))?;
        }
        Ok(())
    }
    .await;
    let _ = ble.stop_scanning().await;
    for address in &addresses {
        sim.remove(address);
    }
    result
}

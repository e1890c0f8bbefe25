//! A scan of its own, for `plugwire scan`: every device that advertises while it runs, with
//! what plugwire would do with it. No server, no connection.

use std::collections::HashSet;
use std::time::Duration;

use btleplug::api::{Central, CentralEvent, Peripheral as _, ScanFilter};
use futures::{FutureExt, StreamExt};
use plugwire_devices::config::DeviceConfig;
use tokio::time::Instant;
use tracing::debug;

use crate::stack::{BleError, BleOptions, bounded, connect, first_adapter};
use crate::verdict::{Verdict, advertisement, judge};

/// One device seen advertising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// Its advertised name, if it gave one.
    pub name: Option<String>,
    /// Its address, `AA:BB:CC:DD:EE:FF`.
    pub address: String,
    /// Its signal strength, in dBm, as last reported.
    pub rssi: Option<i16>,
    /// Connected to this computer now (by plugwire or another program): it does not advertise
    /// to others meanwhile.
    pub connected: bool,
    /// What plugwire would do with it.
    pub verdict: Verdict,
}

/// Scans the first adapter for `duration` and returns every device that advertised, by
/// address. Asks BlueZ to power the adapter on, as `serve` does when a client scans. Every call
/// is bounded by `options`: with no Bluetooth stack or no adapter it fails within
/// `start_timeout`s, never waiting longer than `duration` plus a few `call_timeout`s.
pub async fn scan(
    config: &DeviceConfig,
    duration: Duration,
    options: &BleOptions,
) -> Result<Vec<Sighting>, BleError> {
    let manager = connect(options).await?;
    let adapter = first_adapter(&manager, options)
        .await?
        .ok_or(BleError::NoAdapter)?;
    let mut events = bounded(options.start_timeout, adapter.events()).await?;
    // The stream opens with every device the stack remembers, advertising or not: those are
    // passed over; what the scan brings comes after.
    while let Some(Some(_)) = events.next().now_or_never() {}
    bounded(
        options.call_timeout,
        adapter.start_scan(ScanFilter::default()),
    )
    .await?;
    let mut advertised = HashSet::new();
    let end = Instant::now() + duration;
    while let Ok(Some(event)) = tokio::time::timeout_at(end, events.next()).await {
        match event {
            CentralEvent::DeviceDiscovered(id)
            | CentralEvent::DeviceUpdated(id)
            | CentralEvent::RssiUpdate { id, .. }
            | CentralEvent::ManufacturerDataAdvertisement { id, .. }
            | CentralEvent::ServiceDataAdvertisement { id, .. }
            | CentralEvent::ServicesAdvertisement { id, .. } => {
                advertised.insert(id);
            }
            _ => {}
        }
    }
    let peripherals = bounded(options.call_timeout, adapter.peripherals()).await;
    // Left as it was found: not discovering (for this program).
    let stopped = bounded(options.call_timeout, adapter.stop_scan()).await;
    let peripherals = peripherals?;
    let limit = options.call_timeout;
    let looks = peripherals.iter().map(|peripheral| async {
        let properties = bounded(limit, peripheral.properties()).await.ok()??;
        // BlueZ reports a remembered device's signal strength only once it is heard in this
        // discovery; one heard before the scan began (another program was scanning) may not
        // be reported again within it.
        if !advertised.contains(&peripheral.id()) && properties.rssi.is_none() {
            return None;
        }
        let connected = bounded(limit, peripheral.is_connected())
            .await
            .unwrap_or(false);
        let address = properties.address.to_string();
        Some(Sighting {
            verdict: judge(config, &advertisement(&properties), &address),
            name: properties.local_name.clone(),
            address,
            rssi: properties.rssi,
            connected,
        })
    });
    let mut sightings: Vec<Sighting> = futures::future::join_all(looks)
        .await
        .into_iter()
        .flatten()
        .collect();
    sightings.sort_by(|a, b| a.address.cmp(&b.address));
    if let Err(error) = stopped {
        debug!(%error, "could not stop scanning");
    }
    Ok(sightings)
}

//! The serial hardware manager: opens each port a user configuration names (a `serial` entry
//! whose `port` is not the database's `default`) and attaches it with that entry's protocol.
//! Naming a port is the user's choice of device, so ports are opened from the start rather
//! than when a client scans; a port that is missing, busy or gone is tried again every rescan
//! interval, and at once when a client starts scanning.

use std::collections::HashSet;
use std::sync::{Arc, Weak};

use futures::future::BoxFuture;
use plugwire_core::sync::Mutex;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

use plugwire_devices::config::{DeviceConfig, SerialEntry};
use plugwire_devices::hardware::{Hardware, HardwareError, HardwareManager};
use plugwire_devices::{DeviceEvent, DeviceManager, admit, attach};

use crate::SerialOptions;
use crate::port::SerialPortHardware;

/// Finds devices on the serial ports a user configuration names.
pub struct SerialManager {
    inner: Arc<Inner>,
    /// The loop that keeps the configured ports open.
    watching: JoinHandle<()>,
}

struct Inner {
    /// Weak: the device manager owns this manager.
    devices: Weak<DeviceManager>,
    config: Arc<DeviceConfig>,
    options: SerialOptions,
    state: Mutex<State>,
    /// Wakes the loop for a try now.
    retry: Notify,
}

#[derive(Default)]
struct State {
    /// Ports being opened or attached: never opened twice.
    busy: HashSet<String>,
    /// Ports whose failure to open was already reported (until they open).
    reported: HashSet<String>,
}

impl SerialManager {
    /// Starts opening the ports `config` names (on the current tokio runtime), attaching
    /// their devices to `devices`; give the result to
    /// [`DeviceManager::add_hardware_manager`] so scans retry at once.
    pub fn start(
        devices: &Arc<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: SerialOptions,
    ) -> Arc<Self> {
        let inner = Arc::new(Inner {
            devices: Arc::downgrade(devices),
            config,
            options,
            state: Mutex::new(State::default()),
            retry: Notify::new(),
        });
        let watching = tokio::spawn(watch(inner.clone()));
        Arc::new(Self { inner, watching })
    }

    /// The ports the configuration names, with their protocols.
    pub fn configured_ports(&self) -> Vec<(String, String)> {
        self.inner
            .ports()
            .map(|(protocol, entry)| (entry.port.clone(), protocol.to_owned()))
            .collect()
    }
}

impl Drop for SerialManager {
    fn drop(&mut self) {
        self.watching.abort();
    }
}

impl HardwareManager for SerialManager {
    fn name(&self) -> &'static str {
        "serial ports"
    }

    fn start_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        // A client looking for devices should not wait for the next interval.
        self.inner.retry.notify_one();
        Box::pin(async { Ok(()) })
    }

    fn stop_scanning(&self) -> BoxFuture<'_, Result<(), HardwareError>> {
        // Configured ports stay open: the user named them.
        Box::pin(async { Ok(()) })
    }
}

impl Inner {
    /// Every configured port (the first protocol naming a port has it).
    fn ports(&self) -> impl Iterator<Item = (&str, &SerialEntry)> {
        let mut seen = HashSet::new();
        self.config
            .serial_entries()
            .filter(|(_, entry)| entry.port != "default")
            .filter(move |(_, entry)| seen.insert(entry.port.clone()))
    }

    /// Reports a port that could not be used, once until it works.
    fn report(&self, port: &str, message: std::fmt::Arguments<'_>) {
        if self.state.lock().reported.insert(port.to_owned()) {
            info!(%port, "{message}");
        } else {
            debug!(%port, "{message}");
        }
    }
}

/// Tries every configured port that is not open now, then again every rescan interval (or
/// when woken), for as long as the manager lives.
async fn watch(inner: Arc<Inner>) {
    loop {
        for (protocol, entry) in inner.ports() {
            if !inner.state.lock().busy.insert(entry.port.clone()) {
                continue;
            }
            let (inner, protocol, entry) = (inner.clone(), protocol.to_owned(), entry.clone());
            tokio::spawn(async move {
                let port = entry.port.clone();
                connect(&inner, &protocol, entry).await;
                inner.state.lock().busy.remove(&port);
            });
        }
        tokio::select! {
            () = tokio::time::sleep(inner.options.rescan_interval) => {}
            () = inner.retry.notified() => {}
        }
    }
}

/// Opens one port and attaches it; returns once the device is gone (or never came).
async fn connect(inner: &Inner, protocol: &str, entry: SerialEntry) {
    let port = entry.port.clone();
    let Some(devices) = inner.devices.upgrade() else {
        return;
    };
    if let Err(refusal) = admit(&inner.config, protocol, &port, &port) {
        inner.report(&port, format_args!("{refusal}"));
        return;
    }
    let options = inner.options.clone();
    let opened =
        tokio::task::spawn_blocking(move || SerialPortHardware::open(&entry, &options)).await;
    let hardware = match opened {
        Ok(Ok(hardware)) => Arc::new(hardware),
        Ok(Err(error)) => {
            let message = error_chain(&error);
            inner.report(
                &port,
                format_args!(
                    "{message}; trying again every {:?}",
                    inner.options.rescan_interval
                ),
            );
            return;
        }
        Err(error) => {
            warn!(%port, %error, "opening a serial port failed");
            return;
        }
    };
    debug!(%port, protocol, "serial port opened");
    // Subscribed before attaching, so the device's removal cannot be missed.
    let mut events = devices.subscribe();
    let attached = attach(&devices, &inner.config, protocol, hardware.clone()).await;
    drop(devices);
    match attached {
        Ok(index) => {
            inner.state.lock().reported.remove(&port);
            info!(%port, protocol, index, "serial device attached");
            tokio::select! {
                () = hardware.disconnected() => {}
                () = removed(&mut events, &inner.devices, index) => {}
            }
        }
        // Said once: the port is tried again, and would fail the same way.
        Err(error) => inner.report(
            &port,
            format_args!(
                "could not set up a {protocol} device: {}",
                error_chain(&error)
            ),
        ),
    }
    // Closed here, whoever else still holds a handle, so the port can be opened again.
    hardware.close();
}

/// Completes when the device at `index` is removed (or the device manager is gone).
async fn removed(
    events: &mut broadcast::Receiver<DeviceEvent>,
    devices: &Weak<DeviceManager>,
    index: u32,
) {
    loop {
        match events.recv().await {
            Ok(DeviceEvent::Removed(info)) if info.device_index == index => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {
                let listed = devices
                    .upgrade()
                    .is_some_and(|devices| devices.device(index).is_some());
                if !listed {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// An error and its sources, for one log line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

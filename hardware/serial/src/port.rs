//! An open serial port as [`Hardware`]: writes go to `tx`, what arrives comes from `rx`.
//!
//! Serial I/O blocks, so each port has two threads of its own and the async side only ever
//! waits on channels: a writer that takes one write at a time and answers whether it reached
//! the port, and a reader that polls with a short timeout (so it notices when the port is
//! closed) and passes on what arrives. Either thread finding the port gone (unplugged, the
//! other end of a pseudo-terminal closed) marks the device disconnected.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use futures::future::BoxFuture;
use serialport::SerialPort;
use tokio::sync::{broadcast, mpsc, oneshot};
use tracing::{debug, warn};

use plugwire_devices::config::SerialEntry;
use plugwire_devices::hardware::{
    ByteLink, Endpoint, Hardware, HardwareError, HardwareWrite, Notification,
};

use crate::{SerialError, SerialOptions, framing};

/// Writes waiting for the writer thread; more wait on the channel (the scheduler sends one
/// device's writes one at a time anyway).
const WRITE_QUEUE: usize = 8;
/// Bytes read at a time.
const READ_CHUNK: usize = 256;

/// One write and where to say how it went.
struct WriteRequest {
    data: Vec<u8>,
    done: oneshot::Sender<io::Result<()>>,
}

/// State both threads and the handle share.
struct Shared {
    port_name: String,
    /// Set when the handle is closed: the reader stops at its next poll.
    closing: AtomicBool,
    /// What arrives, and whether the port works (not for good once it is gone or closed).
    link: ByteLink,
}

impl Shared {
    /// The port failed in a way that means it is gone.
    fn lost(&self, error: &io::Error) {
        if self.closing.load(Ordering::Relaxed) {
            return;
        }
        if self.link.lost() {
            warn!(port = %self.port_name, %error, "serial port gone");
        }
    }
}

/// Whether an I/O error means the port is gone (rather than slow).
fn is_gone(error: &io::Error) -> bool {
    !matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
    )
}

/// An open serial port.
pub(crate) struct SerialPortHardware {
    shared: Arc<Shared>,
    writes: mpsc::Sender<WriteRequest>,
}

impl SerialPortHardware {
    /// Opens `entry`'s port with its framing and starts its threads. Blocks: call it from a
    /// blocking context.
    pub(crate) fn open(entry: &SerialEntry, options: &SerialOptions) -> Result<Self, SerialError> {
        let port_name = entry.port.clone();
        let open_error = |source| SerialError::Open {
            port: port_name.clone(),
            source,
        };
        let reader = framing::builder(entry)?
            .timeout(options.poll_interval)
            .open()
            .map_err(open_error)?;
        let mut writer = reader.try_clone().map_err(open_error)?;
        writer
            .set_timeout(options.write_timeout)
            .map_err(open_error)?;

        let shared = Arc::new(Shared {
            port_name: port_name.clone(),
            closing: AtomicBool::new(false),
            link: ByteLink::new(),
        });
        let (writes, queue) = mpsc::channel(WRITE_QUEUE);
        let thread_error = |source| SerialError::Thread {
            port: port_name.clone(),
            source,
        };
        let for_writer = shared.clone();
        thread::Builder::new()
            .name(format!("serial write {port_name}"))
            .spawn(move || write_loop(writer, queue, &for_writer))
            .map_err(thread_error)?;
        let for_reader = shared.clone();
        if let Err(error) = thread::Builder::new()
            .name(format!("serial read {port_name}"))
            .spawn(move || read_loop(reader, &for_reader))
        {
            // The writer ends when `writes` is dropped on the way out.
            return Err(thread_error(error));
        }
        Ok(Self { shared, writes })
    }

    /// Stops using the port: writes fail from now on, and both threads end (the port is
    /// closed) once the last handle is gone.
    pub(crate) fn close(&self) {
        self.shared.closing.store(true, Ordering::Relaxed);
        self.shared.link.lost();
    }
}

impl Drop for SerialPortHardware {
    fn drop(&mut self) {
        self.close();
    }
}

/// Writes each request in turn and says how it went.
fn write_loop(
    mut port: Box<dyn SerialPort>,
    mut queue: mpsc::Receiver<WriteRequest>,
    shared: &Shared,
) {
    while let Some(request) = queue.blocking_recv() {
        let result = port.write_all(&request.data);
        if let Err(error) = &result
            && is_gone(error)
        {
            shared.lost(error);
        }
        // The waiting side may have given up; the write happened all the same.
        let _ = request.done.send(result);
    }
    debug!(port = %shared.port_name, "serial writer done");
}

/// Reads until the port is closed or gone, passing on what arrives.
fn read_loop(mut port: Box<dyn SerialPort>, shared: &Shared) {
    let mut buffer = [0u8; READ_CHUNK];
    while !shared.closing.load(Ordering::Relaxed) {
        match port.read(&mut buffer) {
            Ok(0) => {
                shared.lost(&io::Error::from(io::ErrorKind::UnexpectedEof));
                break;
            }
            Ok(read) => shared.link.received(buffer[..read].to_vec()),
            Err(error) if !is_gone(&error) => {}
            Err(error) => {
                shared.lost(&error);
                break;
            }
        }
    }
    debug!(port = %shared.port_name, "serial reader done");
}

impl Hardware for SerialPortHardware {
    fn name(&self) -> &str {
        // A port says nothing about itself: its name is what a model is looked up by.
        &self.shared.port_name
    }

    fn address(&self) -> &str {
        &self.shared.port_name
    }

    fn write(&self, write: HardwareWrite) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            self.shared.link.check(write.endpoint, Endpoint::Tx)?;
            let (done, result) = oneshot::channel();
            let request = WriteRequest {
                data: write.data,
                done,
            };
            self.writes
                .send(request)
                .await
                .map_err(|_| HardwareError::Disconnected)?;
            match result.await {
                Err(_) => Err(HardwareError::Disconnected),
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) if error.kind() == io::ErrorKind::TimedOut => {
                    Err(HardwareError::Timeout)
                }
                Ok(Err(error)) if is_gone(&error) => Err(HardwareError::Disconnected),
                Ok(Err(error)) => Err(HardwareError::Stack(Box::new(error))),
            }
        })
    }

    fn read(
        &self,
        endpoint: Endpoint,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<Vec<u8>, HardwareError>> {
        Box::pin(self.shared.link.read(endpoint, timeout))
    }

    fn subscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move { self.shared.link.set_subscribed(endpoint, true) })
    }

    fn unsubscribe(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move { self.shared.link.set_subscribed(endpoint, false) })
    }

    fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.shared.link.notifications()
    }

    fn disconnected(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.shared.link.gone())
    }
}

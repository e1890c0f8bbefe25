//! `IpcDialer`: the dialling role.

use interprocess::local_socket::tokio::Stream;
use interprocess::local_socket::traits::tokio::Stream as _;
use plugwire_core::framing::LengthDelimited;
use plugwire_core::{Establish, TransportError};

use crate::{IpcName, IpcOptions, IpcTransport};

/// Connects to a local socket; each `establish` opens a fresh connection.
#[derive(Debug, Clone)]
pub struct IpcDialer {
    name: IpcName,
    options: IpcOptions,
}

impl IpcDialer {
    /// A dialer for `name`.
    pub fn new(name: IpcName, options: IpcOptions) -> Self {
        Self { name, options }
    }
}

impl Establish for IpcDialer {
    type Transport = IpcTransport;

    async fn establish(&mut self) -> Result<IpcTransport, TransportError> {
        let connect_error = |source: std::io::Error| TransportError::Connect {
            peer: self.name.to_string(),
            source: source.into(),
        };
        let name = self.name.to_name().map_err(connect_error)?;
        let stream = Stream::connect(name).await.map_err(connect_error)?;
        Ok(LengthDelimited::new(stream, self.options.max_frame)
            .with_heartbeat(self.options.liveness_timeout))
    }

    fn describe(&self) -> String {
        self.name.to_string()
    }
}

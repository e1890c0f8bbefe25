//! `RemoteConnector`: a client connector made of one way to establish a transport and one
//! serializer.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::Mutex;

use super::{Connection, Connector};
use crate::link::FramedLink;
use crate::{ConnectorError, Establish, Serializer};

/// Connects a client through any transport (dialled or accepted) with any serializer.
///
/// ```ignore
/// let connector = RemoteConnector::new(WebSocketDialer::new("ws://127.0.0.1:12345")?, JsonSerializer::default());
/// ```
pub struct RemoteConnector<E, S> {
    establish: Mutex<E>,
    serializer: Arc<S>,
    description: String,
}

impl<E: Establish, S: Serializer> RemoteConnector<E, S> {
    /// A connector that establishes transports with `establish` and encodes with `serializer`.
    pub fn new(establish: E, serializer: S) -> Self {
        let description = format!("{} ({})", establish.describe(), serializer.name());
        Self {
            establish: Mutex::new(establish),
            serializer: Arc::new(serializer),
            description,
        }
    }
}

impl<E: Establish, S: Serializer> Connector for RemoteConnector<E, S> {
    fn connect(&self) -> BoxFuture<'_, Result<Connection, ConnectorError>> {
        async move {
            let transport = self
                .establish
                .lock()
                .await
                .establish()
                .await
                .map_err(ConnectorError::Connect)?;
            Ok(Connection::spawn(FramedLink::new(
                transport,
                self.serializer.clone(),
            )))
        }
        .boxed()
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

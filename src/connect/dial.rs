//! Client connectors for a URL: dialling out, or listening for a server to dial in.

use plugwire_core::connector::{Connector, RemoteConnector};
use plugwire_core::{AcceptOne, Establish, Listener};

use super::any::{AnyDialer, AnyListener};
use super::error::ConnectError;
use super::options::ConnectOptions;
use super::url::{ConnectionUrl, SerializerKind, UrlError};

/// A client connector that dials `url`.
pub fn dial(
    url: &ConnectionUrl,
    options: &ConnectOptions,
) -> Result<Box<dyn Connector>, ConnectError> {
    connector(AnyDialer::new(url, options)?, url.serializer)
}

/// A client connector that dials the URL in `url` (a convenience for [`dial`] with default
/// options): `Client::connect("my app", plugwire::connect::dial_url("ws://127.0.0.1:12345")?)`.
pub fn dial_url(url: &str) -> Result<Box<dyn Connector>, ConnectError> {
    let url: ConnectionUrl = url.parse().map_err(|e: UrlError| ConnectError::Url(e))?;
    dial(&url, &ConnectOptions::default())
}

/// A client connector that listens on `url` and waits for a server to dial in (the
/// reversed roles of a device forwarder). Returns it with what it listens on, to tell the
/// server.
pub async fn listen(
    url: &ConnectionUrl,
    options: &ConnectOptions,
) -> Result<(Box<dyn Connector>, String), ConnectError> {
    let listener = AnyListener::bind(url, options).await?;
    let description = listener.describe();
    Ok((connector(AcceptOne(listener), url.serializer)?, description))
}

/// A connector establishing with `establish`, speaking `serializer` (JSON when `None`).
fn connector<E: Establish>(
    establish: E,
    serializer: Option<SerializerKind>,
) -> Result<Box<dyn Connector>, ConnectError> {
    Ok(match serializer.unwrap_or(SerializerKind::DEFAULT) {
        #[cfg(feature = "json")]
        SerializerKind::Json => Box::new(RemoteConnector::new(
            establish,
            plugwire_json::JsonSerializer,
        )),
        #[cfg(feature = "msgpack")]
        SerializerKind::Msgpack => Box::new(RemoteConnector::new(
            establish,
            plugwire_msgpack::MsgpackSerializer,
        )),
        #[allow(unreachable_patterns)]
        other => return Err(ConnectError::serializer_not_built_in(other)),
    })
}

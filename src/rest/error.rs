//! [`ApiError`]: why a REST request failed, answered as JSON with the HTTP status that fits.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plugwire_devices::DeviceError;
use serde_json::json;

/// A REST request that failed: its status and a message naming the cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The device manager refused or the device failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A path part that is not what the route takes (a device index that is no number, an
    /// unknown output type, a level outside 0.0–1.0).
    #[error("{0}")]
    BadRequest(String),
    /// Nothing at this path, or no output or input of this type on the device.
    #[error("{0}")]
    NotFound(String),
    /// No access token, or the wrong one, on a listener beyond loopback.
    #[error("wrong or missing access token")]
    Unauthorized,
    /// `Host` names another server (a page on a domain re-resolved to this address).
    #[error("this server does not answer to that Host")]
    MisdirectedHost,
    /// The request comes from another site's page.
    #[error("requests from other sites are refused")]
    ForeignOrigin,
    /// A limit is reached (as many event streams open as allowed): try again later.
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    /// The HTTP status that fits: 404 for what does not exist, 400 for a value it cannot
    /// take, 502 for a device that failed the command.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Device(error) => match error {
                DeviceError::UnknownDevice(_)
                | DeviceError::UnknownFeature { .. }
                | DeviceError::NoSuchOutput { .. }
                | DeviceError::NoSuchInput { .. } => StatusCode::NOT_FOUND,
                DeviceError::OutOfRange { .. }
                | DeviceError::DurationOutOfRange { .. }
                | DeviceError::InputCommandUnsupported { .. }
                | DeviceError::FeatureWithoutDevice => StatusCode::BAD_REQUEST,
                DeviceError::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
                DeviceError::Hardware { .. } | DeviceError::NotWritten { .. } => {
                    StatusCode::BAD_GATEWAY
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::MisdirectedHost => StatusCode::MISDIRECTED_REQUEST,
            Self::ForeignOrigin => StatusCode::FORBIDDEN,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// `{"error": "...", "status": 404}`; a device failure names its hardware cause too.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Self::Device(error @ DeviceError::Hardware { source, .. }) => {
                format!("{error}: {source}")
            }
            other => other.to_string(),
        };
        tracing::debug!(status = status.as_u16(), %message, "REST request refused");
        (
            status,
            Json(json!({ "error": message, "status": status.as_u16() })),
        )
            .into_response()
    }
}

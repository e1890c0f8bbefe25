//! How a WebSocket connection presents the access token: as the URL's path
//! (`ws://host:port/TOKEN`) or its `?token=TOKEN`, so the published clients, which take any URL,
//! need no change. A connection without it is refused with HTTP 401 during the upgrade, before
//! any Buttplug message is read.

use plugwire_core::access::AccessToken;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

/// Whether a request presents `token`, as its path or its `token` query parameter.
pub(crate) fn admits(token: &AccessToken, request: &Request) -> bool {
    token.presented_in(request.uri().path(), request.uri().query())
}

/// The upgrade callback: lets a request with the token through, refuses any other.
#[allow(clippy::result_large_err)]
pub(crate) fn check(
    token: &AccessToken,
    request: &Request,
    response: Response,
) -> Result<Response, ErrorResponse> {
    if admits(token, request) {
        return Ok(response);
    }
    let mut refusal = ErrorResponse::new(Some("wrong or missing access token".to_owned()));
    *refusal.status_mut() = StatusCode::UNAUTHORIZED;
    Err(refusal)
}

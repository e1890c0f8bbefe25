//! The access token a REST listener beyond loopback requires, as `?token=TOKEN` or an
//! `Authorization: Bearer TOKEN` header (an `EventSource` cannot set headers, hence the query).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use plugwire_core::access::AccessToken;
use plugwire_core::log_limit::{LogLimit, shown};
use tracing::warn;

use super::error::ApiError;

/// Refusals a stranger can cause as fast as they send: a few log lines per ten seconds.
static REFUSALS: LogLimit = LogLimit::new(10, std::time::Duration::from_secs(10));

/// Lets a request through only with the token.
pub(crate) async fn require_token(
    State(token): State<Arc<AccessToken>>,
    request: Request,
    next: Next,
) -> Response {
    let from_header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|given| token.matches(given.trim().as_bytes()));
    let from_query = token.in_query(request.uri().query());
    if from_header || from_query {
        next.run(request).await
    } else {
        // A stranger chooses the path: only its start is logged, and only a few lines a while.
        if let Some(unsaid) = REFUSALS.admit_now() {
            let path = request.uri().path();
            warn!(path = %shown(path), unsaid, "REST request without the access token; refused");
        }
        ApiError::Unauthorized.into_response()
    }
}

//! `GET /`: the live device page, one self-contained HTML file (no build step, nothing fetched
//! from elsewhere, so it works offline).

use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse};

/// The page, built into the binary.
const PAGE: &str = include_str!("page.html");

/// Serves the page; never cached, so a new plugwire's page is the one shown.
pub(crate) async fn page() -> impl IntoResponse {
    ([(CACHE_CONTROL, "no-store")], Html(PAGE))
}

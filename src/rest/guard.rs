//! What keeps a web page from driving a toy through the REST API: a browser reaches loopback
//! too. Every request must name this server in `Host` (a page on a domain that re-resolves to
//! 127.0.0.1 names its own domain: 421), must not come from another site (`Origin`,
//! `Sec-Fetch-Site`: 403), and every answer forbids framing and content sniffing.

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, ORIGIN, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use plugwire_core::log_limit::LogLimit;
use tracing::warn;

use super::error::ApiError;

/// Who may address the API: the port it listens on, under a loopback or IP-literal name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Addressed {
    /// The listening port; a `Host` or `Origin` naming another is someone else.
    pub(crate) port: u16,
    /// Every request must carry the access token (beyond loopback): a page that rebinds a
    /// name cannot supply it, so any `Host` may be used (a certificate's own name, say).
    pub(crate) token_required: bool,
}

impl Addressed {
    /// Whether `authority` (`host[:port]`) names this server: `localhost` or an IP address
    /// (no page controls what those resolve to), on its own port when a port is given.
    fn names_us(&self, authority: &str) -> bool {
        let (host, port) = split_authority(authority);
        let port_ok = port.is_none_or(|port| port.parse::<u16>() == Ok(self.port));
        let host = host.trim_start_matches('[').trim_end_matches(']');
        port_ok
            && (host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok())
    }

    /// Why a request is refused, if it is.
    fn refusal(&self, headers: &HeaderMap) -> Option<ApiError> {
        let header = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let Some(host) = header(HOST) else {
            return Some(ApiError::MisdirectedHost);
        };
        if !self.token_required && !self.names_us(host) {
            return Some(ApiError::MisdirectedHost);
        }
        // A browser says where a request comes from; anything but this page or the user's own
        // navigation is another site.
        if let Some(site) = header(axum::http::HeaderName::from_static("sec-fetch-site"))
            && !matches!(site, "same-origin" | "none")
        {
            return Some(ApiError::ForeignOrigin);
        }
        // A browser names the page's origin: only this very server's (the `Host` the request
        // names) is not another site, whatever address another machine's page has.
        if let Some(origin) = header(ORIGIN) {
            let authority = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            if !authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host)) {
                return Some(ApiError::ForeignOrigin);
            }
        }
        None
    }
}

/// Refusals a stranger can cause as fast as they send: a few log lines per ten seconds.
static REFUSALS: LogLimit = LogLimit::new(10, std::time::Duration::from_secs(10));

/// `host` and `port` of `host[:port]` (IPv6 in brackets).
fn split_authority(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// Refuses requests a foreign page could make, and marks every answer unframeable.
pub(crate) async fn guard(
    State(addressed): State<Addressed>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = match addressed.refusal(request.headers()) {
        Some(refusal) => {
            if let Some(unsaid) = REFUSALS.admit_now() {
                warn!(%refusal, unsaid, "REST request from elsewhere refused");
            }
            refusal.into_response()
        }
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    axum::http::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn only_loopback_and_ip_names_on_our_port_are_us() {
        let us = Addressed {
            port: 8080,
            token_required: false,
        };
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "192.168.1.5:8080",
            "localhost",
        ] {
            assert!(us.names_us(ok), "{ok}");
        }
        for foreign in [
            "evil.example:8080",
            "127.0.0.1:8081",
            "localhost.evil.example:8080",
            "[::1]:1",
        ] {
            assert!(!us.names_us(foreign), "{foreign}");
        }
    }

    #[test]
    fn foreign_pages_are_refused() {
        let us = Addressed {
            port: 8080,
            token_required: false,
        };
        assert!(
            us.refusal(&headers(&[("host", "127.0.0.1:8080")]))
                .is_none()
        );
        assert!(matches!(
            us.refusal(&headers(&[("host", "evil.example:8080")])),
            Some(ApiError::MisdirectedHost)
        ));
        assert!(matches!(
            us.refusal(&HeaderMap::new()),
            Some(ApiError::MisdirectedHost)
        ));
        for (name, value) in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "http://evil.example"),
            ("origin", "http://127.0.0.1:9999"),
            ("origin", "http://10.0.0.66:8080"),
            ("origin", "null"),
        ] {
            assert!(
                matches!(
                    us.refusal(&headers(&[("host", "127.0.0.1:8080"), (name, value)])),
                    Some(ApiError::ForeignOrigin)
                ),
                "{name}: {value}"
            );
        }
        let same_page = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(us.refusal(&same_page).is_none());
        // With a token required, a name the certificate carries is fine; another site is not.
        let tokened = Addressed {
            port: 8080,
            token_required: true,
        };
        let named = headers(&[
            ("host", "toys.example:8080"),
            ("origin", "https://toys.example:8080"),
        ]);
        assert!(tokened.refusal(&named).is_none());
        let foreign = headers(&[
            ("host", "toys.example:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(matches!(
            tokened.refusal(&foreign),
            Some(ApiError::ForeignOrigin)
        ));
    }
}

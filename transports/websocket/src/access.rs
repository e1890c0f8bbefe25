//! The access token a listener beyond loopback requires: the URL's path (`ws://host:port/TOKEN`)
//! or its `?token=TOKEN`, so the published clients, which take any URL, need no change. A
//! connection without it is refused with HTTP 401 during the upgrade, before any Buttplug
//! message is read.

use std::fmt;

use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

/// A secret every connection must present.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

/// A token that cannot be put in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidToken;

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an access token is 16 to 128 letters, digits, '-' or '_'")
    }
}

impl std::error::Error for InvalidToken {}

impl AccessToken {
    /// A token a person chose (16 to 128 URL-safe characters).
    pub fn new(token: &str) -> Result<Self, InvalidToken> {
        let fits = (16..=128).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if fits {
            Ok(Self(token.to_owned()))
        } else {
            Err(InvalidToken)
        }
    }

    /// A fresh random token (128 bits, hex).
    pub fn generate() -> Result<Self, std::io::Error> {
        let mut bytes = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
            .map_err(|_| std::io::Error::other("the system's random source failed"))?;
        Ok(Self(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token, to print and give to clients.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request presents this token, as its path or its `token` query parameter.
    pub fn admits(&self, request: &Request) -> bool {
        let uri = request.uri();
        let path = uri.path().trim_matches('/');
        let query = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="));
        [Some(path), query]
            .into_iter()
            .flatten()
            .any(|given| same(given.as_bytes(), self.0.as_bytes()))
    }

    /// The upgrade callback: lets a request with the token through, refuses any other.
    #[allow(clippy::result_large_err)]
    pub(crate) fn check(
        &self,
        request: &Request,
        response: Response,
    ) -> Result<Response, ErrorResponse> {
        if self.admits(request) {
            return Ok(response);
        }
        let mut refusal = ErrorResponse::new(Some("wrong or missing access token".to_owned()));
        *refusal.status_mut() = StatusCode::UNAUTHORIZED;
        Err(refusal)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never in logs.
        f.write_str("AccessToken(..)")
    }
}

/// Compares in time that does not depend on where the first difference is.
fn same(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

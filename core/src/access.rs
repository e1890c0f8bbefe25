//! `AccessToken`: the secret a listener beyond loopback requires of every connection, before
//! any Buttplug message is read (WebSocket: the URL's path or `?token=`; QUIC: the stream's
//! preamble; the device WebSocket server and the REST API alike). Here, below every layer that
//! checks one; `plugwire-tls` makes random ones.

use std::fmt;

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
    /// The longest token, in bytes.
    pub const MAX_LEN: usize = 128;

    /// A token a person chose (16 to 128 URL-safe characters).
    pub fn new(token: &str) -> Result<Self, InvalidToken> {
        let fits = (16..=Self::MAX_LEN).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if fits {
            Ok(Self(token.to_owned()))
        } else {
            Err(InvalidToken)
        }
    }

    /// The token, to print and give to clients.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request for `path` with `query` presents this token, as the whole path
    /// (`/TOKEN`, how a WebSocket URL carries it) or as a `token` query parameter: how every
    /// listener that reads a URL takes it.
    pub fn presented_in(&self, path: &str, query: Option<&str>) -> bool {
        self.matches(path.trim_matches('/').as_bytes()) || self.in_query(query)
    }

    /// Whether a URL's `query` carries this token as a `token` parameter.
    pub fn in_query(&self, query: Option<&str>) -> bool {
        query
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.strip_prefix("token="))
            .any(|given| self.matches(given.as_bytes()))
    }

    /// Whether `given` is this token, compared in time that does not depend on where the
    /// first difference is.
    pub fn matches(&self, given: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |differ, (a, b)| differ | (a ^ b))
                == 0
    }
}

/// `url` fit for a log line or an error message: the access token it carries, as `?token=` or
/// as a WebSocket URL's path, replaced by `<redacted>`.
pub fn redacted(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    if let Some(scheme) = ["ws://", "wss://"].iter().find(|s| url.starts_with(**s)) {
        let after = &url[scheme.len()..];
        let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        out.push_str(&url[..scheme.len() + authority_end]);
        rest = &after[authority_end..];
        if let Some(path) = rest.strip_prefix('/') {
            let path_end = path.find(['?', '#']).unwrap_or(path.len());
            if path_end > 0 {
                out.push_str("/<redacted>");
                rest = &path[path_end..];
            }
        }
    }
    while let Some(at) = rest.find("token=") {
        let value = at + "token=".len();
        // Only a query parameter named exactly `token`.
        let named = at == 0 || rest[..at].ends_with(['?', '&']);
        out.push_str(&rest[..value]);
        rest = &rest[value..];
        if named {
            out.push_str("<redacted>");
            rest = &rest[rest.find(['&', '#']).unwrap_or(rest.len())..];
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never in logs.
        f.write_str("AccessToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_whole() {
        let token = AccessToken::new("correct-horse-battery").expect("fits");
        assert!(token.matches(b"correct-horse-battery"));
        assert!(!token.matches(b"correct-horse-batterY"));
        assert!(!token.matches(b"correct-horse-battery-staple"));
        assert!(!token.matches(b""));
        assert_eq!(AccessToken::new("short"), Err(InvalidToken));
        assert_eq!(AccessToken::new("with a space in it!!"), Err(InvalidToken));
        assert_eq!(format!("{token:?}"), "AccessToken(..)");
        assert!(token.presented_in("/correct-horse-battery", None));
        assert!(token.presented_in("/", Some("format=json&token=correct-horse-battery")));
        assert!(!token.presented_in("/", Some("mytoken=correct-horse-battery")));
        assert!(!token.presented_in("/wrong", Some("token=wrong")));
    }

    #[test]
    fn urls_lose_their_tokens() {
        let cases = [
            (
                "quic://127.0.0.1:1?fingerprint=ab&token=s3cret-s3cret-s3cret",
                "quic://127.0.0.1:1?fingerprint=ab&token=<redacted>",
            ),
            (
                "ws://10.0.0.2:12345/s3cret-s3cret-s3cret?format=json",
                "ws://10.0.0.2:12345/<redacted>?format=json",
            ),
            (
                "wss://host:1?token=s3cret-s3cret-s3cret&trust=pin",
                "wss://host:1?token=<redacted>&trust=pin",
            ),
            ("ws://127.0.0.1:12345", "ws://127.0.0.1:12345"),
            ("ws://127.0.0.1:12345/", "ws://127.0.0.1:12345/"),
            ("ipc://plugwire?mytoken=kept", "ipc://plugwire?mytoken=kept"),
        ];
        for (url, expected) in cases {
            assert_eq!(redacted(url), expected, "{url}");
        }
    }
}

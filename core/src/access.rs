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
    }
}

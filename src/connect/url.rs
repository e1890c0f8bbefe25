//! Connection URLs: one syntax for every transport, in both roles.
//!
//! | URL | transport |
//! |---|---|
//! | `ws://host:port[/path]` | WebSocket |
//! | `wss://host:port[/path]` | WebSocket over TLS, trusting the system's roots (or, as for QUIC, a `fingerprint`, a `ca` or `dangerous-accept-any-certificate`; a listener takes `cert` and `key`) |
//! | `ipc://name` | Linux abstract socket, or Windows named pipe `\\.\pipe\name` |
//! | `ipc:///absolute/path.sock` | Unix domain socket file |
//! | `quic://host:port` | QUIC, trusting the system's roots |
//! | `quic://host:port?fingerprint=sha256:HEX` | QUIC, trusting the certificate with that fingerprint |
//! | `quic://host:port?ca=/path/ca.pem` | QUIC, trusting certificates that CA issued |
//! | `quic://host:port?dangerous-accept-any-certificate=true` | QUIC, trusting anything (tests only) |
//! | `quic://host:port?cert=/c.pem&key=/k.pem` | QUIC listening with this certificate (without: one generated and kept) |
//!
//! `ws://`, `wss://` and `quic://` take `token=SECRET`: the access token a dialler presents and a
//! listener requires (a WebSocket listener also takes it as the URL's path).
//!
//! Every URL also takes `format=json` or `format=msgpack`: the serialization a client speaks
//! (JSON when absent), or the only one a listener accepts (any, detected per connection, when
//! absent). Unknown parameters are refused rather than ignored, so a typo never silently
//! weakens a connection.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use plugwire_core::url_escape;

/// Where to connect or listen: a transport and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A WebSocket URL, as given.
    WebSocket {
        /// `ws://host:port[/path]` or `wss://...` (without its query: see
        /// [`Address::websocket_url`]).
        url: String,
        /// Host part.
        host: String,
        /// Port (80 for `ws://`, 443 for `wss://` when the URL has none).
        port: u16,
        /// The access token (`?token=`): what a dialler presents, what a listener requires.
        token: Option<String>,
        /// TLS settings, for `wss://` (`None`: plain `ws://`).
        tls: Option<Tls>,
    },
    /// A local socket file.
    IpcPath(PathBuf),
    /// A local socket name without a file.
    IpcName(String),
    /// QUIC.
    Quic {
        /// Host name or address.
        host: String,
        /// UDP port.
        port: u16,
        /// Certificates.
        tls: Tls,
        /// The access token (`?token=`): what a dialler presents, what a listener requires.
        token: Option<String>,
    },
}

/// The TLS settings of a `wss://` or `quic://` URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls {
    /// How a dialler trusts the listener (`None`: the system's roots).
    pub trust: Option<TlsTrust>,
    /// Certificate and key files a listener presents (`None`: one generated and kept).
    pub identity: Option<(PathBuf, PathBuf)>,
}

impl Tls {
    /// Takes `fingerprint`, `ca`, `dangerous-accept-any-certificate`, `cert` and `key` from a
    /// URL's parameters.
    fn from_params(take: &mut dyn FnMut(&str) -> Option<String>) -> Result<Self, String> {
        let fingerprint = take("fingerprint");
        let ca = take("ca");
        let dangerous = take("dangerous-accept-any-certificate");
        let trust = match (fingerprint, ca, dangerous.as_deref()) {
            (None, None, None) => None,
            (Some(fingerprint), None, None) => Some(TlsTrust::Fingerprint(fingerprint)),
            (None, Some(ca), None) => Some(TlsTrust::CaFile(PathBuf::from(ca))),
            (None, None, Some("true")) => Some(TlsTrust::DangerousAcceptAnyCertificate),
            (None, None, Some(other)) => {
                return Err(format!(
                    "dangerous-accept-any-certificate={other:?}: only true is meaningful"
                ));
            }
            _ => {
                return Err(
                    "give one of fingerprint, ca or dangerous-accept-any-certificate".into(),
                );
            }
        };
        let identity = match (take("cert"), take("key")) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
            _ => return Err("cert and key go together".into()),
        };
        Ok(Self { trust, identity })
    }

    /// Writes its parameters back, as [`Self::from_params`] reads them.
    fn push_params(&self, params: &mut Vec<String>) {
        match &self.trust {
            Some(TlsTrust::Fingerprint(fingerprint)) => {
                params.push(format!("fingerprint={fingerprint}"))
            }
            Some(TlsTrust::CaFile(path)) => {
                params.push(format!("ca={}", url_escape(&path.display().to_string())));
            }
            Some(TlsTrust::DangerousAcceptAnyCertificate) => {
                params.push("dangerous-accept-any-certificate=true".to_owned());
            }
            None => {}
        }
        if let Some((cert, key)) = &self.identity {
            params.push(format!("cert={}", url_escape(&cert.display().to_string())));
            params.push(format!("key={}", url_escape(&key.display().to_string())));
        }
    }
}

impl Address {
    /// For a WebSocket address, the URL a WebSocket client requests: the path, and the access
    /// token as `?token=` when there is one.
    pub fn websocket_url(&self) -> Option<String> {
        let Self::WebSocket { url, token, .. } = self else {
            return None;
        };
        Some(match token {
            None => url.clone(),
            Some(token) => {
                // A request needs a path before its query.
                let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
                let slash = if after_scheme.contains('/') { "" } else { "/" };
                format!("{url}{slash}?token={}", url_escape(token))
            }
        })
    }
}

/// How a TLS dialler (`wss://`, `quic://`) trusts the listener, as written in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsTrust {
    /// `fingerprint=sha256:...`.
    Fingerprint(String),
    /// `ca=/path/ca.pem`.
    CaFile(PathBuf),
    /// `dangerous-accept-any-certificate=true`.
    DangerousAcceptAnyCertificate,
}

/// A serializer, by name: what a client speaks, or what a listener accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerializerKind {
    /// JSON, the Buttplug standard (cargo feature `json`).
    Json,
    /// MessagePack with named fields (cargo feature `msgpack`).
    Msgpack,
}

impl SerializerKind {
    /// What a client speaks when its URL names none: JSON when built in (what every Buttplug
    /// server understands), else MessagePack.
    pub const DEFAULT: Self = if cfg!(feature = "json") {
        Self::Json
    } else {
        Self::Msgpack
    };

    /// The name used in URLs (`format=json`) and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Msgpack => "msgpack",
        }
    }

    /// Whether this build of plugwire has it.
    pub fn is_built_in(self) -> bool {
        match self {
            Self::Json => cfg!(feature = "json"),
            Self::Msgpack => cfg!(feature = "msgpack"),
        }
    }
}

impl FromStr for SerializerKind {
    type Err = UnknownSerializer;

    fn from_str(name: &str) -> Result<Self, UnknownSerializer> {
        match name {
            "json" => Ok(Self::Json),
            "msgpack" => Ok(Self::Msgpack),
            other => Err(UnknownSerializer(other.to_owned())),
        }
    }
}

/// A serializer name that is neither `json` nor `msgpack`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?} (json, msgpack)")]
pub struct UnknownSerializer(pub String);

/// A parsed connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionUrl {
    /// Transport and address.
    pub address: Address,
    /// Serializer, if the URL names one (`format=`). A client speaks it (JSON when unnamed); a
    /// listener given one accepts only it (any, detected per connection, when unnamed).
    pub serializer: Option<SerializerKind>,
}

/// A connection URL that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", plugwire_core::access::redacted(url))]
pub struct UrlError {
    /// The URL given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for ConnectionUrl {
    type Err = UrlError;

    fn from_str(url: &str) -> Result<Self, UrlError> {
        let fail = |reason: String| UrlError {
            url: url.to_owned(),
            reason,
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| fail("expected SCHEME://... (ws, wss, ipc or quic)".into()))?;
        let (location, query) = match rest.split_once('?') {
            Some((location, query)) => (location, Some(query)),
            None => (rest, None),
        };
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.push((key.to_owned(), percent_decode(value).map_err(fail)?));
        }
        let mut take = |key: &str| -> Option<String> {
            let position = params.iter().position(|(k, _)| k == key)?;
            Some(params.remove(position).1)
        };
        let serializer = match take("format") {
            None => None,
            Some(name) => Some(
                name.parse()
                    .map_err(|e: UnknownSerializer| fail(e.to_string()))?,
            ),
        };
        let address = match scheme {
            "ws" | "wss" => {
                let secure = scheme == "wss";
                let default_port = if secure { 443 } else { 80 };
                let (host, port) =
                    split_host_port(location.split('/').next().unwrap_or(""), Some(default_port))
                        .map_err(fail)?;
                let tls = if secure {
                    Some(Tls::from_params(&mut take).map_err(fail)?)
                } else {
                    None
                };
                Address::WebSocket {
                    url: format!("{scheme}://{location}"),
                    host,
                    port,
                    token: take("token"),
                    tls,
                }
            }
            "ipc" => {
                if location.is_empty() {
                    return Err(fail("an ipc URL needs a name or an absolute path".into()));
                }
                if location.starts_with('/') {
                    Address::IpcPath(PathBuf::from(percent_decode(location).map_err(fail)?))
                } else if location.contains('/') {
                    return Err(fail(
                        "a socket path must be absolute: ipc:///path/to.sock".into(),
                    ));
                } else {
                    let name = percent_decode(location).map_err(fail)?;
                    // A name must stay a name: on some systems it becomes a file under a
                    // runtime directory, and a separator could lead out of it.
                    if name.contains(['/', '\\', '\0']) {
                        return Err(fail("a socket name cannot contain '/', '\\' or NUL".into()));
                    }
                    Address::IpcName(name)
                }
            }
            "quic" => {
                let (host, port) =
                    split_host_port(location.trim_end_matches('/'), None).map_err(fail)?;
                Address::Quic {
                    host,
                    port,
                    tls: Tls::from_params(&mut take).map_err(fail)?,
                    token: take("token"),
                }
            }
            other => {
                return Err(fail(format!(
                    "unknown scheme {other:?} (ws, wss, ipc or quic)"
                )));
            }
        };
        if let Some((key, _)) = params.first() {
            return Err(fail(format!("unknown parameter {key:?}")));
        }
        Ok(Self {
            address,
            serializer,
        })
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut params = Vec::new();
        match &self.address {
            Address::WebSocket {
                url, token, tls, ..
            } => {
                f.write_str(url)?;
                if let Some(tls) = tls {
                    tls.push_params(&mut params);
                }
                if let Some(token) = token {
                    params.push(format!("token={}", url_escape(token)));
                }
            }
            Address::IpcPath(path) => {
                write!(f, "ipc://{}", url_escape(&path.display().to_string()))?
            }
            Address::IpcName(name) => write!(f, "ipc://{}", url_escape(name))?,
            Address::Quic {
                host,
                port,
                tls,
                token,
            } => {
                if host.contains(':') {
                    write!(f, "quic://[{host}]:{port}")?;
                } else {
                    write!(f, "quic://{host}:{port}")?;
                }
                tls.push_params(&mut params);
                if let Some(token) = token {
                    params.push(format!("token={}", url_escape(token)));
                }
            }
        }
        if let Some(serializer) = self.serializer {
            params.push(format!("format={}", serializer.name()));
        }
        if !params.is_empty() {
            write!(f, "?{}", params.join("&"))?;
        }
        Ok(())
    }
}

/// Splits `host:port`, `[v6]:port`, or `host` (when a default port exists).
fn split_host_port(location: &str, default_port: Option<u16>) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = location.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("unclosed [ in the address")?;
        (host, after.strip_prefix(':'))
    } else {
        match location.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (location, None),
        }
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("bad port {port:?}"))?,
        None => default_port.ok_or("a port is required")?,
    };
    Ok((host.to_owned(), port))
}

/// Decodes `%XX` escapes (for paths and names with unusual characters).
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("truncated % escape")?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err("bad % escape".into());
            }
            let hex = std::str::from_utf8(hex).map_err(|_| "bad % escape")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad % escape %{hex}"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "escapes do not form UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> ConnectionUrl {
        url.parse().unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn every_scheme_parses_and_prints_back() {
        for url in [
            "ws://127.0.0.1:12345",
            "ws://localhost:8080/buttplug",
            "ipc://plugwire",
            "ipc:///run/user/1000/plugwire.sock",
            "quic://127.0.0.1:4433?fingerprint=sha256:00ff",
            "quic://[::1]:4433?ca=/etc/ca.pem",
            "quic://example.org:4433?dangerous-accept-any-certificate=true",
            "quic://0.0.0.0:4433?cert=/c.pem&key=/k.pem",
            "ws://127.0.0.1:1?format=msgpack",
            "ws://127.0.0.1:1?token=correct-horse-battery-staple",
            "ws://127.0.0.1:1/app?token=correct-horse-battery-staple&format=json",
            "quic://127.0.0.1:4433?fingerprint=sha256:00ff&format=msgpack",
            "quic://127.0.0.1:4433?fingerprint=sha256:00ff&token=correct-horse-battery-staple",
            "wss://localhost:8443",
            "wss://127.0.0.1:8443/app?fingerprint=sha256:00ff&token=correct-horse-battery-staple",
            "wss://[::1]:8443?ca=/etc/ca.pem",
            "wss://0.0.0.0:8443?cert=/c.pem&key=/k.pem",
        ] {
            assert_eq!(parse(url).to_string(), url);
        }
    }

    #[test]
    fn a_websocket_token_goes_in_the_request() {
        let url = parse("ws://h:1?token=abcdefghijklmnop");
        assert_eq!(
            url.address.websocket_url().as_deref(),
            Some("ws://h:1/?token=abcdefghijklmnop")
        );
        let url = parse("ws://h:1/app?token=abcdefghijklmnop");
        assert_eq!(
            url.address.websocket_url().as_deref(),
            Some("ws://h:1/app?token=abcdefghijklmnop")
        );
        assert_eq!(parse("ipc://name").address.websocket_url(), None);
    }

    #[test]
    fn unusual_paths_print_back_to_the_same_url() {
        for path in ["/tmp/a b.sock", "/tmp/50%?x&y#z=1.sock", "/tmp/é.sock"] {
            let url = ConnectionUrl {
                address: Address::IpcPath(path.into()),
                serializer: None,
            };
            assert_eq!(parse(&url.to_string()), url, "{url}");
        }
    }

    #[test]
    fn parts_are_understood() {
        assert_eq!(
            parse("ws://[::1]:9/x").address,
            Address::WebSocket {
                url: "ws://[::1]:9/x".into(),
                host: "::1".into(),
                port: 9,
                token: None,
                tls: None,
            }
        );
        assert_eq!(
            parse("ws://example.org").address,
            Address::WebSocket {
                url: "ws://example.org".into(),
                host: "example.org".into(),
                port: 80,
                token: None,
                tls: None,
            }
        );
        assert_eq!(
            parse("wss://example.org/x?fingerprint=sha256:ab").address,
            Address::WebSocket {
                url: "wss://example.org/x".into(),
                host: "example.org".into(),
                port: 443,
                token: None,
                tls: Some(Tls {
                    trust: Some(TlsTrust::Fingerprint("sha256:ab".into())),
                    identity: None,
                }),
            }
        );
        assert_eq!(
            parse("ipc:///tmp/a%20b.sock").address,
            Address::IpcPath("/tmp/a b.sock".into())
        );
        assert_eq!(
            parse("ipc://name?format=json").serializer,
            Some(SerializerKind::Json)
        );
        assert_eq!(
            parse("ws://h:1?format=msgpack").serializer,
            Some(SerializerKind::Msgpack)
        );
        assert_eq!(parse("ws://h:1").serializer, None);
        match parse("quic://h:1?fingerprint=sha256:ab").address {
            Address::Quic {
                host,
                port,
                tls,
                token,
            } => {
                assert_eq!((host.as_str(), port), ("h", 1));
                assert_eq!(tls.trust, Some(TlsTrust::Fingerprint("sha256:ab".into())));
                assert_eq!((tls.identity, token), (None, None));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for url in [
            "127.0.0.1:12345",
            "http://x:1",
            "wss://x:1?fingerprint=a&ca=b",
            "ws://x:1?fingerprint=sha256:00ff",
            "ipc://",
            "ipc://relative/path.sock",
            "quic://host",
            "quic://host:99999",
            "quic://host:1?fingerprint=a&ca=b",
            "quic://host:1?dangerous-accept-any-certificate=yes",
            "quic://host:1?cert=/c.pem",
            "ws://x:1?fingerprnt=typo",
            "ws://x:1?format=xml",
            "ipc:///a%zz",
            "ipc:///a%+f",
            "ipc://a%2F..%2Fb",
        ] {
            let error = url.parse::<ConnectionUrl>().expect_err(url);
            assert!(!error.reason.is_empty());
        }
    }
}

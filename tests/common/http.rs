//! HTTP/1.1 by hand, for the REST API's tests: one request with `Connection: close` over any
//! byte stream (TCP or TLS), and a reader of the server-sent event stream.

use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one request on `stream` (`Host: host`, `Connection: close`, then `headers`) and reads
/// the whole response: its status, its head and its body.
pub async fn exchange(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    host: impl std::fmt::Display,
    method: &str,
    path: &str,
    headers: &str,
) -> (u16, String, String) {
    let head =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{headers}\r\n");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    // Over TLS, a clean end is the server's close_notify: an error here would be a truncation.
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8(response).expect("UTF-8 response");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("a header block, got {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    (status, head.to_owned(), body.to_owned())
}

/// One request over a new TCP connection to `addr`; the status and the body as JSON (`Null`
/// when empty).
pub async fn request(addr: SocketAddr, method: &str, path: &str, headers: &str) -> (u16, Value) {
    let stream = TcpStream::connect(addr).await.expect("connect REST");
    let (status, _, body) = exchange(stream, addr, method, path, headers).await;
    (status, json_body(&body))
}

/// A response body as JSON (`Null` when empty).
pub fn json_body(body: &str) -> Value {
    if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON body, got {body:?}"))
    }
}

/// Reads `GET events` as it streams (chunked), as the server wrote it.
pub struct EventReader {
    stream: TcpStream,
    buffer: String,
}

impl EventReader {
    /// Opens the event stream of the REST API at `addr`.
    pub async fn open(addr: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(addr).await.expect("connect REST");
        let head = format!("GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.expect("send");
        Self {
            stream,
            buffer: String::new(),
        }
    }

    /// Reads more; false at the end of the stream.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        let read = self.stream.read(&mut chunk).await.unwrap_or(0);
        self.buffer
            .push_str(std::str::from_utf8(&chunk[..read]).expect("UTF-8 events"));
        read > 0
    }

    /// The response's status.
    pub async fn status(&mut self) -> u16 {
        while !self.buffer.contains("\r\n") {
            assert!(self.fill().await, "closed before a status line");
        }
        self.buffer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status line")
    }

    /// The next event: its name and its data, raw.
    pub async fn next_raw(&mut self) -> (String, String) {
        loop {
            if let Some(event) = self.take_event() {
                return event;
            }
            assert!(self.fill().await, "the event stream ended");
        }
    }

    /// The next event: its name and its data as JSON.
    pub async fn next(&mut self) -> (String, Value) {
        let (name, data) = self.next_raw().await;
        let data = serde_json::from_str(&data).expect("event data is JSON");
        (name, data)
    }

    /// The raw data of the next event named `name`, skipping others.
    pub async fn next_raw_named(&mut self, name: &str) -> String {
        loop {
            let (event, data) = self.next_raw().await;
            if event == name {
                return data;
            }
        }
    }

    /// The data of the next event named `name` as JSON, skipping others.
    pub async fn next_named(&mut self, name: &str) -> Value {
        let data = self.next_raw_named(name).await;
        serde_json::from_str(&data).expect("event data is JSON")
    }

    /// Reads until the server ends the stream: the last chunk, then the connection closes.
    pub async fn until_end(&mut self) {
        while self.fill().await {}
        assert!(
            self.buffer.ends_with("0\r\n\r\n"),
            "the stream ended in order: {:?}",
            self.buffer
        );
    }

    /// An `event:` line followed by its `data:` line, once both are in.
    fn take_event(&mut self) -> Option<(String, String)> {
        let start = self.buffer.find("event: ")?;
        let rest = &self.buffer[start + "event: ".len()..];
        let (name, rest) = rest.split_once('\n')?;
        let data_start = rest.find("data: ")?;
        let (data, _) = rest[data_start + "data: ".len()..].split_once('\n')?;
        let event = (name.trim().to_owned(), data.to_owned());
        let consumed = self.buffer.len() - rest.len() + data_start + "data: ".len() + data.len();
        self.buffer.drain(..consumed);
        Some(event)
    }
}

//! The REST API against hostile peers, over real sockets: a crowd of half-sent requests, a
//! crowd of idle connections, connections that hold every place, too many event streams, an
//! oversized head, an idle kept-alive connection, and shutdown with streams open; and one event
//! reaching many readers byte for byte the same.

#![cfg(all(unix, feature = "rest", feature = "websocket", feature = "json"))]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::http::{EventReader, request};
use common::{RawClient, TestServer, within};
use plugwire::rest::RestApi;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Half-sent requests in the crowd.
const HALF_SENT: usize = 1_100;
/// The header timeout the crowd meets.
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
/// How late past its deadline a connection may close on a loaded two-core machine.
const SLACK: Duration = Duration::from_secs(3);

/// A test server with the REST API beside it, configured by `configure`; the API's address
/// and its serving task.
async fn start(
    configure: impl FnOnce(RestApi) -> RestApi,
) -> (TestServer, SocketAddr, JoinHandle<()>) {
    let test = TestServer::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
    let addr = listener.local_addr().expect("REST address");
    let api = configure(RestApi::new(test.server.clone()));
    let serving = tokio::spawn(async move {
        api.serve(listener).await.expect("REST API served");
    });
    (test, addr, serving)
}

/// A connection that sent `GET /api/v1/devices` without the blank line that ends its head.
async fn half_sent(addr: SocketAddr) -> (TcpStream, Instant) {
    let mut stream = TcpStream::connect(addr).await.expect("connect REST");
    let connected = Instant::now();
    stream
        .write_all(format!("GET /api/v1/devices HTTP/1.1\r\nHost: {addr}").as_bytes())
        .await
        .expect("send a half");
    (stream, connected)
}

/// Waits for the server to close `stream` without answering: the read sees EOF.
async fn closed_unanswered(mut stream: TcpStream) {
    let mut buffer = [0u8; 256];
    let read = stream.read(&mut buffer).await.expect("an orderly close");
    assert_eq!(
        read,
        0,
        "closed without an answer, got {:?}",
        String::from_utf8_lossy(&buffer[..read])
    );
}

// Two workers, as on the two-core machines this is served from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_dropped_at_the_header_timeout_while_others_are_served() {
    common::raise_open_file_limit(HALF_SENT as u64 * 3);
    within(async {
        // Room for the whole crowd: here the header timeout, not the cap, must close them.
        let (test, addr, _serving) = start(|api| {
            api.header_timeout(HEADER_TIMEOUT)
                .max_connections(HALF_SENT * 2)
        })
        .await;
        let mut websocket = RawClient::connect(test.addr).await;
        websocket.handshake_v4().await;

        let started = Instant::now();
        // Each half-sent request is watched from its start: when is it closed, unanswered?
        let crowd = tokio::spawn(async move {
            let mut crowd = Vec::with_capacity(HALF_SENT);
            for _ in 0..HALF_SENT {
                let (stream, connected) = half_sent(addr).await;
                crowd.push(tokio::spawn(async move {
                    closed_unanswered(stream).await;
                    connected.elapsed()
                }));
            }
            crowd
        });
        // While the crowd gathers, REST and WebSocket clients are served.
        let mut served = 0;
        while !crowd.is_finished() || served == 0 {
            let (status, list) = request(addr, "GET", "/api/v1/devices", "").await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(list["0"]["name"], "plugwire Simulated Vibrator");
            let reply = websocket
                .request(&format!(
                    r#"[{{"RequestDeviceList":{{"Id":{}}}}}]"#,
                    served + 2
                ))
                .await;
            assert!(reply[0]["DeviceList"].is_object(), "{reply}");
            served += 1;
        }
        let crowd = crowd.await.expect("the crowd gathered");
        let mut fresh = RawClient::connect(test.addr).await;
        fresh.handshake_v4().await;

        // Each half-sent request was closed without an answer once its head was overdue.
        let (mut earliest, mut latest) = (Duration::MAX, Duration::ZERO);
        for watcher in crowd {
            let after = watcher.await.expect("closed unanswered");
            earliest = earliest.min(after);
            latest = latest.max(after);
        }
        eprintln!(
            "{HALF_SENT} half-sent requests, {served} requests served meanwhile; \
             closed {earliest:?} to {latest:?} after connecting, all within {:?}",
            started.elapsed()
        );
        assert!(
            earliest >= HEADER_TIMEOUT / 2,
            "none closed before its deadline: {earliest:?}"
        );
        assert!(
            latest <= HEADER_TIMEOUT + SLACK,
            "each closed at its deadline: {latest:?}"
        );
        assert_eq!(request(addr, "GET", "/api/v1/devices", "").await.0, 200);
    })
    .await;
}

#[tokio::test]
async fn a_crowd_of_idle_connections_makes_room_for_a_newcomer() {
    within(async {
        const CAP: usize = 32;
        const IDLE: usize = 100;
        let (_test, addr, _serving) = start(|api| {
            api.max_connections(CAP)
                .header_timeout(Duration::from_secs(60))
        })
        .await;
        let mut idle = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            idle.push(TcpStream::connect(addr).await.expect("an idle connection"));
        }
        let (status, _) = request(addr, "GET", "/api/v1/devices", "").await;
        assert_eq!(status, 200, "the newcomer is served");

        // The cap held: the oldest went, one for each newcomer beyond it (the request too);
        // the newest are still open, and served.
        let kept = CAP - 1;
        let newest = idle.split_off(IDLE - kept);
        for stream in idle {
            closed_unanswered(stream).await;
        }
        let head = format!("GET /api/v1/devices HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        for mut stream in newest {
            stream.write_all(head.as_bytes()).await.expect("still open");
            read_one_response(&mut stream).await;
        }
    })
    .await;
}

#[tokio::test]
async fn when_every_connection_is_mid_request_a_newcomer_is_closed_at_once() {
    within(async {
        let (_test, addr, _serving) = start(|api| {
            api.max_connections(3)
                .idle_timeout(Duration::from_millis(400))
        })
        .await;
        let mut streams = Vec::new();
        for _ in 0..3 {
            let mut reader = EventReader::open(addr).await;
            reader.next_raw_named("devices").await;
            streams.push(reader);
        }
        let newcomer = TcpStream::connect(addr).await.expect("connect");
        closed_unanswered(newcomer).await;

        // A stream that ends gives its place back.
        drop(streams.pop());
        loop {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let head = format!(
                "GET /api/v1/devices HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await.ok();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.ok();
            if response.starts_with(b"HTTP/1.1 200") {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}

#[tokio::test]
async fn event_streams_beyond_the_cap_are_answered_503() {
    within(async {
        let (_test, addr, _serving) = start(|api| {
            api.max_subscribers(2)
                .idle_timeout(Duration::from_millis(400))
        })
        .await;
        let mut first = EventReader::open(addr).await;
        first.next_raw_named("devices").await;
        let mut second = EventReader::open(addr).await;
        second.next_raw_named("devices").await;
        let (status, body) = request(addr, "GET", "/api/v1/events", "").await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["status"], 503, "{body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|error| error.contains("event streams")),
            "{body}"
        );
        // Other routes are not affected.
        assert_eq!(request(addr, "GET", "/api/v1/devices", "").await.0, 200);

        // A reader that leaves gives its place back.
        drop(first);
        loop {
            let mut reader = EventReader::open(addr).await;
            if reader.status().await == 200 {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}

#[tokio::test]
async fn one_event_reaches_every_reader_byte_for_byte() {
    within(async {
        const READERS: usize = 50;
        let (_test, addr, _serving) = start(|api| api).await;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let mut reader = EventReader::open(addr).await;
            reader.next_raw_named("devices").await;
            readers.push(reader);
        }
        let (status, _) = request(
            addr,
            "PUT",
            "/api/v1/devices/0/features/0/outputs/Vibrate/0.5",
            "",
        )
        .await;
        assert_eq!(status, 200);
        let mut outputs = Vec::with_capacity(READERS);
        for reader in &mut readers {
            outputs.push(reader.next_raw_named("output").await);
        }
        assert_eq!(
            outputs[0],
            r#"{"device":0,"feature":0,"type":"Vibrate","value":10,"level":0.5}"#
        );
        assert!(
            outputs.iter().all(|output| *output == outputs[0]),
            "{outputs:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_oversized_head_is_answered_431() {
    within(async {
        let (_test, addr, _serving) = start(|api| api.max_head_bytes(16 * 1024)).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "GET /api/v1/devices HTTP/1.1\r\nHost: {addr}\r\nX-Padding: {}\r\n\r\n",
            "a".repeat(32 * 1024)
        );
        // The server may close before it has read it all.
        stream.write_all(head.as_bytes()).await.ok();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.ok();
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 431"), "{response}");
        assert_eq!(request(addr, "GET", "/api/v1/devices", "").await.0, 200);
    })
    .await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_idle_and_a_late_head_at_its_timeout() {
    within(async {
        let head = |addr| format!("GET /api/v1/devices HTTP/1.1\r\nHost: {addr}\r\n\r\n");

        // Between requests, the idle timeout (the header timeout is far off).
        const IDLE: Duration = Duration::from_millis(500);
        let (_test, addr, _serving) = start(|api| {
            api.idle_timeout(IDLE)
                .header_timeout(Duration::from_secs(60))
        })
        .await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head(addr).as_bytes()).await.expect("send");
        read_one_response(&mut stream).await;
        let answered = Instant::now();
        closed_unanswered(stream).await;
        let idle = answered.elapsed();
        assert!(
            idle >= IDLE - Duration::from_millis(50) && idle <= IDLE + SLACK,
            "closed after {idle:?} idle"
        );

        // A next head begun but not finished: the header timeout, from its first byte (the
        // idle timeout is far off).
        let (_test, addr, _serving) = start(|api| {
            api.idle_timeout(Duration::from_secs(60))
                .header_timeout(HEADER_TIMEOUT)
        })
        .await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head(addr).as_bytes()).await.expect("send");
        read_one_response(&mut stream).await;
        stream
            .write_all(b"GET /api/v1/devices HTTP/1.1\r\n")
            .await
            .expect("send");
        let begun = Instant::now();
        closed_unanswered(stream).await;
        let waited = begun.elapsed();
        assert!(
            waited >= HEADER_TIMEOUT - Duration::from_millis(50)
                && waited <= HEADER_TIMEOUT + SLACK,
            "closed {waited:?} after the late head began"
        );
    })
    .await;
}

#[tokio::test]
async fn shutdown_ends_event_streams_and_the_api_returns() {
    const GRACE: Duration = Duration::from_secs(5);
    within(async {
        let (test, addr, serving) = start(|api| {
            api.header_timeout(Duration::from_secs(60))
                .shutdown_grace(GRACE)
        })
        .await;
        let mut reader = EventReader::open(addr).await;
        reader.next_raw_named("devices").await;
        let (_half, _) = half_sent(addr).await;
        let stopping = Instant::now();
        test.server.shutdown().await;
        reader.until_end().await;
        serving.await.expect("the API returned");
        // Nothing was under way: nothing waited for the grace (not even the half-sent head).
        let stopped = stopping.elapsed();
        eprintln!("REST API stopped {stopped:?} after shutdown began");
        assert!(stopped < GRACE, "{stopped:?}");
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "no longer accepting"
        );
    })
    .await;
}

/// Reads one response with a `Content-Length` off a kept-alive connection.
async fn read_one_response(stream: &mut TcpStream) {
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.expect("read");
        assert!(read > 0, "closed before the answer");
        response.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a Content-Length");
            if body.len() >= length {
                return;
            }
        }
    }
}

//! The REST API over TLS, over real sockets: routes, the access token, the page and the event
//! stream answered over HTTPS to a client that trusts the certificate (pinned, or issued by a
//! CA and checked by name); plain HTTP to the HTTPS port gets no HTTP answer; a peer that never
//! starts or never finishes TLS is closed at the header timeout and holds its place in the
//! connection cap only as an unfinished head does.

#![cfg(all(feature = "rest", feature = "websocket", feature = "json"))]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::exchange;
use common::{TestServer, within};
use plugwire::AccessToken;
use plugwire::rest::RestApi;
use plugwire_test_support::tls::{ca_issued, error_chain, loopback_identity};
use plugwire_tls::{ServerIdentity, ServerTrust, TlsVersions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;

/// The header timeout the slow peers meet.
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
/// How late past its deadline a connection may close on a loaded two-core machine.
const SLACK: Duration = Duration::from_secs(3);

/// A test server with the REST API beside it over TLS, presenting `identity` and configured by
/// `configure`; the API's address and its serving task.
async fn start(
    identity: &ServerIdentity,
    configure: impl FnOnce(RestApi) -> RestApi,
) -> (TestServer, SocketAddr, JoinHandle<()>) {
    let test = TestServer::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
    let addr = listener.local_addr().expect("REST address");
    let api = RestApi::new(test.server.clone())
        .with_tls(identity)
        .expect("a usable identity");
    assert_eq!(api.fingerprint(), Some(identity.fingerprint()));
    let api = configure(api);
    let serving = tokio::spawn(async move {
        api.serve(listener).await.expect("REST API served");
    });
    (test, addr, serving)
}

/// A TLS connection to `addr` for `name`, trusting the server as `trust` says.
async fn connect_tls(
    addr: SocketAddr,
    trust: &ServerTrust,
    name: &str,
) -> std::io::Result<TlsStream<TcpStream>> {
    let config = trust
        .client_config(TlsVersions::Tls12And13, &[b"http/1.1"])
        .expect("client config");
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(name.to_owned()).expect("a server name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// A pinned TLS connection to `addr`, which presents `identity`.
async fn pinned(addr: SocketAddr, identity: &ServerIdentity) -> TlsStream<TcpStream> {
    let stream = connect_tls(
        addr,
        &ServerTrust::Pinned(identity.fingerprint()),
        "localhost",
    )
    .await
    .expect("TLS handshake");
    assert_eq!(
        stream.get_ref().1.alpn_protocol(),
        Some(&b"http/1.1"[..]),
        "HTTP/1.1 negotiated"
    );
    stream
}

/// A `GET` over a new pinned TLS connection; the status and the body as JSON.
async fn get_json(
    addr: SocketAddr,
    identity: &ServerIdentity,
    path: &str,
    headers: &str,
) -> (u16, Value) {
    let (status, _, body) =
        exchange(pinned(addr, identity).await, addr, "GET", path, headers).await;
    let body = serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON body, got {body:?}"));
    (status, body)
}

/// Waits for the server to close `stream` without an HTTP answer; what it sent instead.
async fn closed_without_http(mut stream: TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    // A reset (the server did not read all we sent) is a close as good as a FIN.
    let _ = stream.read_to_end(&mut received).await;
    assert!(
        !received.starts_with(b"HTTP/"),
        "an HTTP answer: {:?}",
        String::from_utf8_lossy(&received)
    );
    received
}

#[tokio::test]
async fn devices_over_https_to_a_client_that_pins_the_certificate() {
    within(async {
        let identity = loopback_identity();
        let (_test, addr, _serving) = start(&identity, |api| api).await;
        let (status, list) = get_json(addr, &identity, "/api/v1/devices", "").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["0"]["name"], "plugwire Simulated Vibrator");
        assert_eq!(list["1"]["name"], "plugwire Simulated Stroker");

        // Commands too: the vibrator at half, then every device stopped.
        let (status, _, body) = exchange(
            pinned(addr, &identity).await,
            addr,
            "PUT",
            "/api/v1/devices/0/outputs/Vibrate/0.5",
            "",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = exchange(
            pinned(addr, &identity).await,
            addr,
            "PUT",
            "/api/v1/devices/stop",
            "",
        )
        .await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_access_token_is_required_over_https_as_over_http() {
    within(async {
        let identity = loopback_identity();
        let token = AccessToken::new("rest-over-tls-token-0123456789").expect("token");
        let (_test, addr, _serving) =
            start(&identity, |api| api.with_access_token(Some(token))).await;
        let (status, body) = get_json(addr, &identity, "/api/v1/devices", "").await;
        assert_eq!(status, 401, "{body}");
        let bearer = "Authorization: Bearer rest-over-tls-token-0123456789\r\n";
        let (status, body) = get_json(addr, &identity, "/api/v1/devices", bearer).await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_ca_issued_certificate_is_checked_by_name() {
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ca_file, identity) = ca_issued(dir.path());
        let (_test, addr, _serving) = start(&identity, |api| api).await;
        let trust = ServerTrust::CaFile(ca_file);
        let stream = connect_tls(addr, &trust, "localhost")
            .await
            .expect("the CA's leaf for localhost");
        let (status, _, body) = exchange(stream, addr, "GET", "/api/v1/devices", "").await;
        assert_eq!(status, 200, "{body}");

        // The leaf names localhost only: dialled as another name, the client refuses it.
        let refused = connect_tls(addr, &trust, "example.invalid")
            .await
            .expect_err("a certificate for another name");
        let chain = error_chain(&refused).to_lowercase();
        assert!(chain.contains("not valid for name"), "{chain}");
    })
    .await;
}

#[tokio::test]
async fn the_page_and_the_event_stream_work_over_https() {
    within(async {
        let identity = loopback_identity();
        let (_test, addr, _serving) = start(&identity, |api| api).await;
        let (status, head, page) =
            exchange(pinned(addr, &identity).await, addr, "GET", "/", "").await;
        assert_eq!(status, 200, "{head}");
        assert!(
            head.to_lowercase().contains("content-type: text/html"),
            "{head}"
        );
        // Every URL the page uses is on its own origin, so it follows the page to HTTPS.
        assert!(page.contains("\"/api/v1/\""), "the page's API root");
        assert!(
            !page.contains("http://"),
            "an absolute http:// URL in the page"
        );
        assert!(page.contains("new EventSource(api(\"events\"))"));

        let mut events = pinned(addr, &identity).await;
        let head = format!("GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        events.write_all(head.as_bytes()).await.expect("send");
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        while !String::from_utf8_lossy(&received).contains("event: devices") {
            let read = events.read(&mut chunk).await.expect("read events");
            assert!(
                read > 0,
                "the stream ended: {:?}",
                String::from_utf8_lossy(&received)
            );
            received.extend_from_slice(&chunk[..read]);
        }
        let text = String::from_utf8_lossy(&received);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.contains("text/event-stream"), "{text}");
        assert!(text.contains("plugwire Simulated Vibrator"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn plain_http_to_the_https_port_gets_no_http_answer() {
    within(async {
        let identity = loopback_identity();
        let (_test, addr, _serving) = start(&identity, |api| api).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!("GET /api/v1/devices HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.expect("send");
        let received = closed_without_http(stream).await;
        // At most a TLS alert record (content type 21), never data.
        assert!(
            received.is_empty() || received[0] == 0x15,
            "not an alert: {received:?}"
        );
        // The port still serves HTTPS.
        let (status, _) = get_json(addr, &identity, "/api/v1/devices", "").await;
        assert_eq!(status, 200);
    })
    .await;
}

#[tokio::test]
async fn a_peer_that_never_starts_or_finishes_tls_is_closed_at_the_header_timeout() {
    within(async {
        let identity = loopback_identity();
        let (_test, addr, _serving) =
            start(&identity, |api| api.header_timeout(HEADER_TIMEOUT)).await;
        let silent = async {
            let stream = TcpStream::connect(addr).await.expect("connect");
            let connected = Instant::now();
            closed_without_http(stream).await;
            connected.elapsed()
        };
        // The start of a ClientHello record, never completed.
        let half_hello = async {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let connected = Instant::now();
            stream
                .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])
                .await
                .expect("send");
            closed_without_http(stream).await;
            connected.elapsed()
        };
        let (silent, half_hello) = tokio::join!(silent, half_hello);
        for (what, took) in [("silent", silent), ("half a hello", half_hello)] {
            assert!(
                took + Duration::from_millis(20) >= HEADER_TIMEOUT,
                "{what}: closed after {took:?}, before the header timeout"
            );
            assert!(
                took <= HEADER_TIMEOUT + SLACK,
                "{what}: closed after {took:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn peers_in_the_handshake_hold_their_places_only_as_unfinished_heads_do() {
    within(async {
        let identity = loopback_identity();
        // Only the cap can close them here: the header timeout is far away.
        let (_test, addr, _serving) = start(&identity, |api| {
            api.max_connections(2)
                .header_timeout(Duration::from_secs(600))
        })
        .await;
        // Two peers take every place and never start TLS; the listener hands connections to
        // the accept loop in order, so both are admitted before anyone after them.
        let first = TcpStream::connect(addr).await.expect("connect");
        let _second = TcpStream::connect(addr).await.expect("connect");
        // A prompt client is still served: room is made from the oldest unfinished one.
        let (status, body) = get_json(addr, &identity, "/api/v1/devices", "").await;
        assert_eq!(status, 200, "{body}");
        closed_without_http(first).await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_closes_connections_still_in_the_handshake() {
    within(async {
        let identity = loopback_identity();
        let (test, addr, serving) = start(&identity, |api| {
            api.header_timeout(Duration::from_secs(600))
        })
        .await;
        let silent = TcpStream::connect(addr).await.expect("connect");
        // Served once: the silent peer above is admitted by now.
        let (status, _) = get_json(addr, &identity, "/api/v1/devices", "").await;
        assert_eq!(status, 200);
        test.server.shutdown().await;
        serving.await.expect("the API stopped");
        closed_without_http(silent).await;
    })
    .await;
}

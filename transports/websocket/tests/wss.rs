//! Secure WebSocket over loopback: a generated certificate pinned by fingerprint, a CA-issued
//! one trusted through a CA file, and every way trust can fail, named in the error.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::{AcceptOne, Establish, Frame, Listener, TransportError};
use plugwire_test_support::tls::{ca_issued, error_chain, loopback_identity};
use plugwire_websocket::{
    ServerIdentity, ServerTrust, WebSocketDialer, WebSocketListener, WebSocketOptions,
};

async fn within<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), body)
        .await
        .expect("test timed out")
}

/// A `wss://` listener on a free loopback port presenting `identity`.
async fn secure_listener(identity: &ServerIdentity) -> WebSocketListener {
    WebSocketListener::bind_secure("127.0.0.1:0", identity, WebSocketOptions::default())
        .await
        .expect("bind")
}

type Both = (
    Result<plugwire_websocket::WebSocketTransport, TransportError>,
    Result<plugwire_websocket::WebSocketTransport, TransportError>,
);

/// Dials `listener` at `url`, trusting `trust` (`None`: as the URL implies); returns both
/// sides' results.
async fn dial(listener: WebSocketListener, url: &str, trust: Option<ServerTrust>) -> Both {
    let mut dialer = WebSocketDialer::new(url, WebSocketOptions::default()).expect("url");
    if let Some(trust) = trust {
        dialer = dialer.trusting(trust).expect("a wss URL");
    }
    let mut accept = AcceptOne(listener);
    tokio::join!(dialer.establish(), accept.establish())
}

#[tokio::test]
async fn a_generated_certificate_pinned_by_fingerprint_carries_frames() {
    within(async {
        let listener = secure_listener(&loopback_identity()).await;
        let fingerprint = listener.fingerprint().expect("a wss listener");
        let described = listener.describe();
        assert!(
            described.starts_with("wss://127.0.0.1:")
                && described.ends_with(&format!("?fingerprint={fingerprint}")),
            "{described}"
        );
        let url = format!("wss://127.0.0.1:{}", listener.local_addr().port());
        let (dialled, accepted) =
            dial(listener, &url, Some(ServerTrust::Pinned(fingerprint))).await;
        let (mut client, mut server) = (dialled.expect("dial"), accepted.expect("accept"));
        client
            .send(Frame::Text("[{\"Ping\":{\"Id\":1}}]".into()))
            .await
            .expect("send");
        assert_eq!(
            server.next().await.expect("a frame").expect("ok"),
            Frame::Text("[{\"Ping\":{\"Id\":1}}]".into())
        );
        server
            .send(Frame::Binary(vec![1, 2, 3].into()))
            .await
            .expect("send");
        assert_eq!(
            client.next().await.expect("a frame").expect("ok"),
            Frame::Binary(vec![1, 2, 3].into())
        );
    })
    .await;
}

#[tokio::test]
async fn a_ca_issued_certificate_is_trusted_through_the_ca_file_for_its_name() {
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ca_file, identity) = ca_issued(dir.path());
        let listener = secure_listener(&identity).await;
        let url = format!("wss://localhost:{}/", listener.local_addr().port());
        let (dialled, accepted) = dial(listener, &url, Some(ServerTrust::CaFile(ca_file))).await;
        dialled.expect("a CA-issued certificate is trusted");
        accepted.expect("accept");
    })
    .await;
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_even_from_the_right_ca() {
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ca_file, identity) = ca_issued(dir.path());
        let listener = secure_listener(&identity).await;
        // The leaf names localhost only.
        let url = format!("wss://127.0.0.1:{}", listener.local_addr().port());
        let (dialled, accepted) = dial(listener, &url, Some(ServerTrust::CaFile(ca_file))).await;
        let error = dialled.err().expect("refused");
        assert!(
            error_chain(&error).contains("not valid for name"),
            "{}",
            error_chain(&error)
        );
        assert!(accepted.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_wrong_pin_is_refused_and_named() {
    within(async {
        let listener = secure_listener(&loopback_identity()).await;
        let url = format!("wss://127.0.0.1:{}", listener.local_addr().port());
        let other = loopback_identity().fingerprint();
        let (dialled, accepted) = dial(listener, &url, Some(ServerTrust::Pinned(other))).await;
        let error = dialled.err().expect("refused");
        let text = error_chain(&error);
        assert!(text.contains(&url), "the address is named: {text}");
        assert!(text.contains("not the pinned"), "{text}");
        assert!(accepted.is_err(), "the listener saw the handshake fail too");
    })
    .await;
}

#[tokio::test]
async fn a_self_signed_certificate_is_an_unknown_issuer_to_the_system_roots() {
    within(async {
        let listener = secure_listener(&loopback_identity()).await;
        let url = format!("wss://localhost:{}", listener.local_addr().port());
        let (dialled, _) = dial(listener, &url, None).await;
        let text = error_chain(&dialled.err().expect("refused"));
        // A machine without any root store is refused before the handshake, also by name.
        assert!(
            text.contains("UnknownIssuer") || text.contains("no trusted root certificates"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn plain_websocket_cannot_reach_a_secure_listener() {
    within(async {
        let listener = secure_listener(&loopback_identity()).await;
        let url = format!("ws://127.0.0.1:{}", listener.local_addr().port());
        let dialer = WebSocketDialer::new(&url, WebSocketOptions::default()).expect("url");
        assert!(dialer.trusting(ServerTrust::SystemRoots).is_err());
        let (dialled, accepted) = dial(listener, &url, None).await;
        assert!(dialled.is_err() && accepted.is_err());
    })
    .await;
}

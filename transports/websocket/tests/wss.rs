//! Secure WebSocket over loopback: a generated certificate pinned by fingerprint, a CA-issued
//! one trusted through a CA file, and every way trust can fail, named in the error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::{AcceptOne, Establish, Frame, Listener, TransportError};
use plugwire_websocket::{
    ServerIdentity, ServerTrust, WebSocketDialer, WebSocketListener, WebSocketOptions,
};

async fn within<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), body)
        .await
        .expect("test timed out")
}

fn generated() -> ServerIdentity {
    ServerIdentity::generate(&["localhost".to_owned(), "127.0.0.1".to_owned()]).expect("identity")
}

/// Every message in an error's source chain, one per line.
fn chain(error: &TransportError) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        text.push_str(&e.to_string());
        text.push('\n');
        source = e.source();
    }
    text
}

/// A CA and a leaf for `localhost` it issued, as PEM files in `dir`: (CA file, identity).
fn ca_issued(dir: &Path) -> (PathBuf, ServerIdentity) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write");
    std::fs::write(dir.join("leaf.pem"), leaf.pem()).expect("write");
    std::fs::write(dir.join("leaf.key"), leaf_key.serialize_pem()).expect("write");
    let identity =
        ServerIdentity::from_pem_files(&dir.join("leaf.pem"), &dir.join("leaf.key")).expect("load");
    (ca_file, identity)
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
        let listener = secure_listener(&generated()).await;
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
            chain(&error).contains("not valid for name"),
            "{}",
            chain(&error)
        );
        assert!(accepted.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_wrong_pin_is_refused_and_named() {
    within(async {
        let listener = secure_listener(&generated()).await;
        let url = format!("wss://127.0.0.1:{}", listener.local_addr().port());
        let other = generated().fingerprint();
        let (dialled, accepted) = dial(listener, &url, Some(ServerTrust::Pinned(other))).await;
        let error = dialled.err().expect("refused");
        let text = chain(&error);
        assert!(text.contains(&url), "the address is named: {text}");
        assert!(text.contains("not the pinned"), "{text}");
        assert!(accepted.is_err(), "the listener saw the handshake fail too");
    })
    .await;
}

#[tokio::test]
async fn a_self_signed_certificate_is_an_unknown_issuer_to_the_system_roots() {
    within(async {
        let listener = secure_listener(&generated()).await;
        let url = format!("wss://localhost:{}", listener.local_addr().port());
        let (dialled, _) = dial(listener, &url, None).await;
        let text = chain(&dialled.err().expect("refused"));
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
        let listener = secure_listener(&generated()).await;
        let url = format!("ws://127.0.0.1:{}", listener.local_addr().port());
        let dialer = WebSocketDialer::new(&url, WebSocketOptions::default()).expect("url");
        assert!(dialer.trusting(ServerTrust::SystemRoots).is_err());
        let (dialled, accepted) = dial(listener, &url, None).await;
        assert!(dialled.is_err() && accepted.is_err());
    })
    .await;
}

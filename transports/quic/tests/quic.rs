//! QUIC transport over loopback: round trips, limits, pinning, CA trust, vanishing peers,
//! refused datagrams.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::access::AccessToken;
use plugwire_core::{Establish, Frame, Listener, TransportError};
use plugwire_quic::{ALPN, Fingerprint, QuicDialer, QuicListener, QuicOptions, ServerTrust};
use plugwire_test_support::tls::{ca_issued, error_chain, loopback_identity};
use plugwire_tls::TlsVersions;

async fn within<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), body)
        .await
        .expect("test timed out")
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("address")
}

fn small_frames() -> QuicOptions {
    QuicOptions {
        max_frame: 64 * 1024,
        ..QuicOptions::default()
    }
}

#[tokio::test]
async fn frames_round_trip_when_pinned_to_the_right_certificate() {
    within(async {
        let identity = loopback_identity();
        let listener = QuicListener::bind(loopback(), &identity, small_frames()).expect("bind");
        let port = listener.local_addr().port();
        let mut dialer = QuicDialer::new(
            "127.0.0.1",
            port,
            ServerTrust::Pinned(listener.fingerprint()),
            small_frames(),
        );
        let (dialled, accepted) = tokio::join!(dialer.establish(), async {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await
        });
        let mut client = dialled.expect("dial");
        let mut server = accepted.expect("handshake");
        let near_max = Frame::Binary(vec![0xc4; 64 * 1024].into());
        let sending = async {
            client
                .send(Frame::Text("[]".into()))
                .await
                .expect("send small");
            client
                .send(near_max.clone())
                .await
                .expect("send near maximum");
        };
        let receiving = async {
            assert_eq!(
                server.next().await.expect("frame").expect("ok"),
                Frame::Text("[]".into())
            );
            assert_eq!(server.next().await.expect("frame").expect("ok"), near_max);
        };
        tokio::join!(sending, receiving);
        server
            .send(Frame::Text("reply".into()))
            .await
            .expect("reply");
        assert_eq!(
            client.next().await.expect("frame").expect("ok"),
            Frame::Text("reply".into())
        );

        // Over the maximum: refused on the way out, and refused on the way in.
        let too_big = Frame::Binary(vec![0u8; 64 * 1024 + 1].into());
        assert!(matches!(
            client.send(too_big).await,
            Err(TransportError::FrameTooLarge { .. })
        ));
        let mut generous = QuicDialer::new(
            "127.0.0.1",
            port,
            ServerTrust::Pinned(listener.fingerprint()),
            QuicOptions::default(),
        );
        let (dialled, accepted) = tokio::join!(generous.establish(), async {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await
        });
        let mut big_sender = dialled.expect("dial");
        let mut server = accepted.expect("handshake");
        let sender = tokio::spawn(async move {
            let _ = big_sender
                .send(Frame::Binary(vec![0u8; 200 * 1024].into()))
                .await;
            big_sender
        });
        assert!(matches!(
            server.next().await,
            Some(Err(TransportError::FrameTooLarge { .. }))
        ));
        drop(sender.await);
    })
    .await;
}

#[tokio::test]
async fn a_dialler_pinned_to_another_certificate_is_refused() {
    within(async {
        let listener = QuicListener::bind(loopback(), &loopback_identity(), QuicOptions::default())
            .expect("bind");
        let port = listener.local_addr().port();
        let other = loopback_identity().fingerprint();
        assert_ne!(other, listener.fingerprint());
        let accepting = tokio::spawn(async move {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await.is_err()
        });
        let mut dialer = QuicDialer::new(
            "127.0.0.1",
            port,
            ServerTrust::Pinned(other),
            QuicOptions::default(),
        );
        let error = dialer.establish().await.err().expect("must be refused");
        assert!(matches!(error, TransportError::Connect { .. }), "{error}");
        let chain = error_chain(&error);
        assert!(chain.contains("not the pinned"), "{chain}");
        assert!(
            accepting.await.expect("task"),
            "the listener saw the handshake fail too"
        );
    })
    .await;
}

#[tokio::test]
async fn a_ca_file_trusts_certificates_the_ca_issued() {
    within(async {
        let dir = tempfile::tempdir().expect("temp dir");
        // A small CA and a leaf for localhost, written as PEM files.
        let (ca_file, identity) = ca_issued(dir.path());

        let listener =
            QuicListener::bind(loopback(), &identity, QuicOptions::default()).expect("bind");
        let port = listener.local_addr().port();
        let mut dialer = QuicDialer::new(
            "localhost",
            port,
            ServerTrust::CaFile(ca_file),
            QuicOptions::default(),
        );
        let (dialled, accepted) = tokio::join!(dialer.establish(), async {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await
        });
        dialled.expect("a CA-issued certificate is trusted");
        accepted.expect("handshake");

        // A CA that did not issue it is not enough.
        let stranger =
            rcgen::generate_simple_self_signed(vec!["stranger".to_owned()]).expect("stranger");
        let stranger_file = dir.path().join("stranger.pem");
        std::fs::write(&stranger_file, stranger.cert.pem()).expect("write");
        let mut doubtful = QuicDialer::new(
            "localhost",
            port,
            ServerTrust::CaFile(stranger_file),
            QuicOptions::default(),
        );
        let listening = tokio::spawn(async move {
            let (pending, _) = listener.accept().await.expect("accept");
            let _ = pending.await;
        });
        assert!(doubtful.establish().await.is_err());
        listening.await.expect("task");
    })
    .await;
}

#[tokio::test]
async fn a_peer_vanishing_mid_frame_ends_the_stream() {
    within(async {
        let identity = loopback_identity();
        let listener =
            QuicListener::bind(loopback(), &identity, QuicOptions::default()).expect("bind");
        let port = listener.local_addr().port();
        let fingerprint: Fingerprint = listener.fingerprint();
        let dialling = tokio::spawn(async move {
            let mut dialer = QuicDialer::new(
                "127.0.0.1",
                port,
                ServerTrust::Pinned(fingerprint),
                QuicOptions::default(),
            );
            let transport = dialer.establish().await.expect("dial");
            // Write a length prefix promising 100 bytes, then only 3, then vanish.
            let mut stream = transport.into_inner();
            use tokio::io::AsyncWriteExt;
            stream
                .write_all(&100u32.to_be_bytes())
                .await
                .expect("write");
            stream.write_all(b"abc").await.expect("write");
            stream.flush().await.expect("flush");
            drop(stream);
        });
        let (pending, _) = listener.accept().await.expect("accept");
        let mut server = pending.await.expect("handshake");
        dialling.await.expect("dialler");
        let end = server.next().await;
        assert!(matches!(end, Some(Err(_)) | None), "got {end:?}");
    })
    .await;
}

/// `localhost` usually resolves to ::1 first; a listener on 127.0.0.1 must still be reached.
#[tokio::test]
async fn every_resolved_address_is_tried() {
    within(async {
        let listener = QuicListener::bind(loopback(), &loopback_identity(), QuicOptions::default())
            .expect("bind");
        let port = listener.local_addr().port();
        let mut dialer = QuicDialer::new(
            "localhost",
            port,
            ServerTrust::Pinned(listener.fingerprint()),
            QuicOptions::default(),
        );
        let (dialled, accepted) = tokio::join!(dialer.establish(), async {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await
        });
        dialled.expect("dial through localhost");
        accepted.expect("handshake");
    })
    .await;
}

#[tokio::test]
async fn dangerous_trust_still_connects() {
    within(async {
        let listener = QuicListener::bind(loopback(), &loopback_identity(), QuicOptions::default())
            .expect("bind");
        let port = listener.local_addr().port();
        let mut dialer = QuicDialer::new(
            "127.0.0.1",
            port,
            ServerTrust::DangerousAcceptAnyCertificate,
            QuicOptions::default(),
        );
        let (dialled, accepted) = tokio::join!(dialer.establish(), async {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await
        });
        dialled.expect("dial");
        accepted.expect("handshake");
    })
    .await;
}

/// Dials `listener` once with `token` (or none), returning both sides' results.
async fn dial_with_token(
    listener: &QuicListener,
    token: Option<&str>,
) -> (
    Result<plugwire_quic::QuicTransport, TransportError>,
    Result<plugwire_quic::QuicTransport, TransportError>,
) {
    let options = QuicOptions {
        access_token: token.map(|t| AccessToken::new(t).expect("a token")),
        ..QuicOptions::default()
    };
    let mut dialer = QuicDialer::new(
        "127.0.0.1",
        listener.local_addr().port(),
        ServerTrust::Pinned(listener.fingerprint()),
        options,
    );
    tokio::join!(dialer.establish(), async {
        let (pending, _) = listener.accept().await.expect("accept");
        pending.await
    })
}

#[tokio::test]
async fn a_listener_with_an_access_token_admits_only_the_right_one() {
    within(async {
        let options = QuicOptions {
            access_token: Some(AccessToken::new("correct-horse-battery-staple").expect("token")),
            ..QuicOptions::default()
        };
        let listener = QuicListener::bind(loopback(), &loopback_identity(), options).expect("bind");

        for wrong in [None, Some("correct-horse-battery-stapler")] {
            let (dialled, accepted) = dial_with_token(&listener, wrong).await;
            let refusal = accepted.err().expect("refused");
            assert!(refusal.to_string().contains("127.0.0.1"), "{refusal}");
            // The dialler learns why as soon as it reads: the close reason says it.
            let mut client = dialled.expect("the QUIC handshake itself succeeds");
            client.send(Frame::Text("[]".into())).await.ok();
            let end = client.next().await;
            let reason = format!("{end:?}");
            assert!(reason.contains("wrong or missing access token"), "{reason}");
        }

        let (dialled, accepted) =
            dial_with_token(&listener, Some("correct-horse-battery-staple")).await;
        let mut client = dialled.expect("dial");
        let mut server = accepted.expect("the right token is admitted");
        client.send(Frame::Text("[]".into())).await.expect("send");
        assert_eq!(
            server.next().await.expect("a frame").expect("ok"),
            Frame::Text("[]".into())
        );
    })
    .await;
}

#[tokio::test]
async fn a_listener_without_a_token_ignores_one_it_is_given() {
    within(async {
        let listener = QuicListener::bind(loopback(), &loopback_identity(), QuicOptions::default())
            .expect("bind");
        let (dialled, accepted) =
            dial_with_token(&listener, Some("correct-horse-battery-staple")).await;
        let mut client = dialled.expect("dial");
        let mut server = accepted.expect("admitted");
        client.send(Frame::Text("[]".into())).await.expect("send");
        assert_eq!(
            server.next().await.expect("a frame").expect("ok"),
            Frame::Text("[]".into())
        );
    })
    .await;
}

/// Dials `listener` and accepts the connection, returning both ends after a frame went each
/// way.
async fn connected_pair(
    listener: &QuicListener,
    options: &QuicOptions,
) -> (plugwire_quic::QuicTransport, plugwire_quic::QuicTransport) {
    let mut dialer = QuicDialer::new(
        "127.0.0.1",
        listener.local_addr().port(),
        ServerTrust::Pinned(listener.fingerprint()),
        options.clone(),
    );
    let (dialled, accepted) = tokio::join!(dialer.establish(), async {
        let (pending, _) = listener.accept().await.expect("accept");
        pending.await
    });
    let (mut client, mut server) = (dialled.expect("dial"), accepted.expect("handshake"));
    client.send(Frame::Text("[]".into())).await.expect("send");
    assert_eq!(
        server.next().await.expect("frame").expect("ok"),
        Frame::Text("[]".into())
    );
    server.send(Frame::Text("ok".into())).await.expect("reply");
    assert_eq!(
        client.next().await.expect("frame").expect("ok"),
        Frame::Text("ok".into())
    );
    (client, server)
}

#[tokio::test]
async fn a_listener_moves_to_a_fresh_endpoint_once_its_connections_are_gone() {
    within(async {
        let options = QuicOptions {
            renew_endpoint_after: 2,
            ..small_frames()
        };
        let listener =
            QuicListener::bind(loopback(), &loopback_identity(), options.clone()).expect("bind");
        let address = listener.local_addr();

        let renewed = || async {
            while listener.endpoint_renewals() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };

        // The threshold is reached with one connection still open: a waiting accept checks
        // twice (once a second) and keeps the endpoint for it.
        let (first_client, mut first_server) = connected_pair(&listener, &options).await;
        let (second_client, second_server) = connected_pair(&listener, &options).await;
        drop((second_client, second_server));
        tokio::select! {
            accepted = listener.accept() => panic!("nobody dialled, yet: {:?}", accepted.err()),
            waited = tokio::time::timeout(Duration::from_millis(2_500), renewed()) => {
                assert!(waited.is_err(), "renewed under an open connection");
            }
        }

        // Once the last one closes (and quinn has drained it), a waiting accept renews.
        drop(first_client);
        assert!(first_server.next().await.is_none_or(|end| end.is_err()));
        drop(first_server);
        tokio::select! {
            accepted = listener.accept() => panic!("nobody dialled, yet: {:?}", accepted.err()),
            () = renewed() => {}
        }
        assert_eq!(listener.endpoint_renewals(), 1);

        // Same address, same certificate: new connections work as before, and the count
        // starts again.
        assert_eq!(listener.local_addr(), address);
        let (_client, _server) = connected_pair(&listener, &options).await;
        assert_eq!(listener.endpoint_renewals(), 1);
    })
    .await;
}

/// A raw quinn peer with quinn's default transport settings, which take datagrams: what the
/// plugwire side across from it advertises is what the raw peer may send.
fn raw_quinn_defaults() -> Arc<quinn::TransportConfig> {
    Arc::new(quinn::TransportConfig::default())
}

/// The plugwire side across `connection` advertised no datagram support, so quinn refuses
/// to send one.
fn assert_peer_takes_no_datagrams(connection: &quinn::Connection) {
    assert_eq!(connection.max_datagram_size(), None);
    assert!(matches!(
        connection.send_datagram(bytes::Bytes::from_static(b"never read")),
        Err(quinn::SendDatagramError::UnsupportedByPeer)
    ));
}

#[tokio::test]
async fn a_listener_takes_no_unreliable_datagrams() {
    within(async {
        let listener =
            QuicListener::bind(loopback(), &loopback_identity(), small_frames()).expect("bind");
        let tls = ServerTrust::Pinned(listener.fingerprint())
            .client_config(TlsVersions::Tls13, &[ALPN])
            .expect("TLS");
        let mut config = quinn::ClientConfig::new(Arc::new(
            quinn::crypto::rustls::QuicClientConfig::try_from(tls).expect("QUIC TLS"),
        ));
        config.transport_config(raw_quinn_defaults());
        let address = listener.local_addr();
        // The listener finishes the QUIC handshake, then waits for a stream that never comes.
        let listening = tokio::spawn(async move {
            let (pending, _) = listener.accept().await.expect("accept");
            pending.await.map(drop)
        });
        let endpoint = quinn::Endpoint::client(loopback()).expect("endpoint");
        let connection = endpoint
            .connect_with(config, address, "localhost")
            .expect("connect")
            .await
            .expect("handshake");
        assert_peer_takes_no_datagrams(&connection);
        listening.abort();
    })
    .await;
}

#[tokio::test]
async fn a_dialler_takes_no_unreliable_datagrams() {
    within(async {
        let identity = loopback_identity();
        let tls = plugwire_tls::server_config(&identity, TlsVersions::Tls13, &[ALPN]).expect("TLS");
        let mut config = quinn::ServerConfig::with_crypto(Arc::new(
            quinn::crypto::rustls::QuicServerConfig::try_from(tls).expect("QUIC TLS"),
        ));
        config.transport_config(raw_quinn_defaults());
        let endpoint = quinn::Endpoint::server(config, loopback()).expect("endpoint");
        let mut dialer = QuicDialer::new(
            "127.0.0.1",
            endpoint.local_addr().expect("address").port(),
            ServerTrust::Pinned(identity.fingerprint()),
            small_frames(),
        );
        // The dialler finishes the QUIC handshake, then waits on a stream nobody answers.
        let dialling = tokio::spawn(async move { dialer.establish().await.map(drop) });
        let incoming = endpoint.accept().await.expect("incoming");
        let connection = incoming.await.expect("handshake");
        assert_peer_takes_no_datagrams(&connection);
        dialling.abort();
    })
    .await;
}

#[tokio::test]
async fn a_peer_can_send_no_more_than_the_window_ahead_of_the_reader() {
    const WINDOW: u32 = 64 * 1024;
    within(async {
        let options = QuicOptions {
            receive_window: WINDOW,
            ..small_frames()
        };
        let listener =
            QuicListener::bind(loopback(), &loopback_identity(), options.clone()).expect("bind");
        // Both ends connected; the listener's end is then never read.
        let (client, _unread) = connected_pair(&listener, &options).await;
        let mut stream = client.into_inner();
        let chunk = vec![0u8; 8 * 1024];
        let mut accepted = 0;
        // Writes are taken while the reader's window has room and then wait: no more credit
        // comes while nobody reads.
        loop {
            use tokio::io::AsyncWriteExt;
            match tokio::time::timeout(Duration::from_millis(500), stream.write(&chunk)).await {
                Ok(written) => accepted += written.expect("write"),
                Err(_) => break,
            }
            assert!(
                accepted <= WINDOW as usize,
                "{accepted} bytes taken past the window"
            );
        }
        // The window was used (the frames exchanged in connecting took a little of it).
        assert!(
            accepted > WINDOW as usize - 4 * 1024,
            "only {accepted} bytes taken"
        );
    })
    .await;
}

//! WebSocket transport over loopback: both roles yield the same transport, frames of every
//! size up to the maximum round-trip, larger ones are refused with Close 1009, and a peer
//! vanishing mid-frame ends the stream.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use plugwire_core::{AcceptOne, Establish, Frame, Listener, TransportError};
use plugwire_websocket::{WebSocketDialer, WebSocketListener, WebSocketOptions};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const MAX: usize = 64 * 1024;

async fn within<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), body)
        .await
        .expect("test timed out")
}

fn options() -> WebSocketOptions {
    WebSocketOptions {
        max_message_size: MAX,
        ..WebSocketOptions::default()
    }
}

#[tokio::test]
async fn frames_up_to_the_maximum_round_trip_both_ways() {
    within(async {
        let listener = WebSocketListener::bind("127.0.0.1:0", options())
            .await
            .expect("bind");
        let mut dialer = WebSocketDialer::new(&listener.describe(), options()).expect("url");
        let mut accept = AcceptOne(listener);
        let (dialled, accepted) = tokio::join!(dialer.establish(), accept.establish());
        let (mut client, mut server) = (dialled.expect("dial"), accepted.expect("accept"));
        let near_max_text = Frame::Text("x".repeat(MAX).into());
        let near_max_binary = Frame::Binary(vec![7u8; MAX].into());
        for frame in [Frame::Text("[]".into()), near_max_text, near_max_binary] {
            let (sent, received) = tokio::join!(client.send(frame.clone()), server.next());
            sent.expect("send");
            assert_eq!(received.expect("frame").expect("ok"), frame);
            let (sent, received) = tokio::join!(server.send(frame.clone()), client.next());
            sent.expect("send back");
            assert_eq!(received.expect("frame").expect("ok"), frame);
        }
        // Too large to send: refused before anything is written, the link stays up.
        let too_big = Frame::Binary(vec![0u8; MAX + 1].into());
        assert!(matches!(
            client.send(too_big).await,
            Err(TransportError::FrameTooLarge { .. })
        ));
        client
            .send(Frame::Text("still up".into()))
            .await
            .expect("send");
        assert_eq!(
            server.next().await.expect("frame").expect("ok"),
            Frame::Text("still up".into())
        );
    })
    .await;
}

#[tokio::test]
async fn an_over_maximum_message_is_refused_with_close_1009() {
    within(async {
        let listener = WebSocketListener::bind("127.0.0.1:0", options())
            .await
            .expect("bind");
        let url = listener.describe();
        let server = tokio::spawn(async move {
            let (pending, _) = listener.accept().await.expect("accept");
            let mut transport = pending.await.expect("upgrade");
            let refused = transport.next().await;
            assert!(
                matches!(
                    refused,
                    Some(Err(TransportError::FrameTooLarge { max: MAX, .. }))
                ),
                "{refused:?}"
            );
            transport.close().await.expect("close");
        });
        let (mut peer, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        let _ = peer
            .send(tokio_tungstenite::tungstenite::Message::text(
                "y".repeat(2 * MAX),
            ))
            .await;
        let close = loop {
            match peer
                .next()
                .await
                .expect("a close, not a reset")
                .expect("no error")
            {
                tokio_tungstenite::tungstenite::Message::Close(frame) => break frame,
                _ => continue,
            }
        };
        assert_eq!(close.expect("close frame").code, CloseCode::Size);
        server.await.expect("server side");
    })
    .await;
}

#[tokio::test]
async fn a_peer_vanishing_mid_frame_ends_the_stream() {
    within(async {
        let listener = WebSocketListener::bind("127.0.0.1:0", options())
            .await
            .expect("bind");
        let address = listener.local_addr();
        let server = tokio::spawn(async move {
            let (pending, _) = listener.accept().await.expect("accept");
            let mut transport = pending.await.expect("upgrade");
            let end = transport.next().await;
            assert!(matches!(end, None | Some(Err(_))), "{end:?}");
        });
        // A real client handshake, then half a frame on the raw socket, then gone.
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let (socket, _) = tokio_tungstenite::client_async(format!("ws://{address}"), stream)
            .await
            .expect("upgrade");
        let mut tcp = socket.into_inner();
        // FIN + text opcode, masked, 100-byte payload announced; only the mask and 3 bytes follow.
        tcp.write_all(&[0x81, 0x80 | 100, 1, 2, 3, 4, b'a', b'b', b'c'])
            .await
            .expect("write");
        drop(tcp);
        server.await.expect("server side");
    })
    .await;
}

#[tokio::test]
async fn a_listener_with_an_access_token_refuses_clients_without_it() {
    use plugwire_core::access::AccessToken;
    within(async {
        let token = AccessToken::new("correct-horse-battery-staple").expect("a token");
        let guarded = WebSocketOptions {
            access_token: Some(token),
            ..options()
        };
        let listener = WebSocketListener::bind("127.0.0.1:0", guarded)
            .await
            .expect("bind");
        let addr = listener.local_addr();
        // What it prints is what a client dials: the token is the path.
        assert_eq!(
            listener.describe(),
            format!("ws://{addr}/correct-horse-battery-staple")
        );
        let server = tokio::spawn(async move {
            let mut accepted = 0;
            while accepted < 2 {
                let Ok((pending, _)) = listener.accept().await else {
                    break;
                };
                if let Ok(mut transport) = pending.await {
                    accepted += 1;
                    let frame = transport.next().await;
                    if let Some(Ok(frame)) = frame {
                        let _ = transport.send(frame).await;
                    }
                }
            }
            accepted
        });
        for refused in [
            format!("ws://{addr}"),
            format!("ws://{addr}/wrong-horse-battery-staple"),
            format!("ws://{addr}/?token=correct-horse"),
        ] {
            let mut dialer = WebSocketDialer::new(&refused, options()).expect("url");
            let error = dialer.establish().await.err().expect("refused");
            assert!(format!("{error:?}").contains("401"), "{refused}: {error:?}");
        }
        for admitted in [
            format!("ws://{addr}/correct-horse-battery-staple"),
            format!("ws://{addr}/?token=correct-horse-battery-staple"),
        ] {
            let mut dialer = WebSocketDialer::new(&admitted, options()).expect("url");
            let mut client = dialer.establish().await.expect("admitted");
            client.send(Frame::Text("[]".into())).await.expect("send");
            let echoed = client.next().await.expect("echo").expect("frame");
            assert_eq!(echoed, Frame::Text("[]".into()));
        }
        assert_eq!(server.await.expect("server"), 2);
    })
    .await;
}

#[test]
fn tokens_must_fit_in_a_url_and_generated_ones_differ() {
    use plugwire_core::access::AccessToken;
    assert!(AccessToken::new("short").is_err());
    assert!(AccessToken::new("has spaces in it, too many").is_err());
    let (a, b) = (
        plugwire_tls::generate_access_token().expect("random"),
        plugwire_tls::generate_access_token().expect("random"),
    );
    assert_ne!(a, b);
    assert_eq!(a.as_str().len(), 32);
    assert!(AccessToken::new(a.as_str()).is_ok());
    assert_eq!(format!("{a:?}"), "AccessToken(..)");
}

//! A listener's backlog holds a crowd: thousands of clients connecting at once all complete
//! their TCP handshake while the server has accepted none of them yet, rather than waiting
//! out SYN retransmissions. Its own test binary, because it raises this process's open-file
//! limit.

#![cfg(target_os = "linux")]

use std::time::Duration;

use futures::future::join_all;
use plugwire_websocket::{WebSocketListener, WebSocketOptions};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use tokio::net::TcpStream;

/// Twice tokio's default backlog of 1,024.
const CROWD: u64 = 2_048;

#[tokio::test]
async fn a_crowd_of_connections_completes_before_the_server_accepts_any() {
    let somaxconn: u64 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .expect("read net.core.somaxconn")
        .trim()
        .parse()
        .expect("a number");
    if somaxconn <= CROWD {
        eprintln!(
            "skipped: net.core.somaxconn is {somaxconn}, so the kernel caps any backlog below {CROWD}"
        );
        return;
    }
    let limit = getrlimit(Resource::Nofile);
    let wanted = CROWD + 256;
    if limit.current.is_some_and(|soft| soft < wanted) {
        assert!(
            limit.maximum.is_none_or(|hard| hard >= wanted),
            "this test needs a hard open-file limit of at least {wanted}: {limit:?}"
        );
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(wanted),
                maximum: limit.maximum,
            },
        )
        .expect("raise the open-file limit");
    }

    let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
        .await
        .expect("bind");
    let addr = listener.local_addr();
    // Nobody accepts: every handshake the kernel completes waits in the backlog. Past a full
    // backlog the kernel drops the SYN, and the client tries again after 1, 3, 7... seconds.
    let connected = tokio::time::timeout(
        Duration::from_secs(20),
        join_all((0..CROWD).map(|_| TcpStream::connect(addr))),
    )
    .await
    .expect("every connection completed within the backlog");
    let failed = connected.iter().filter(|c| c.is_err()).count();
    assert_eq!(failed, 0, "connections refused: {failed}");
    drop(listener);
}

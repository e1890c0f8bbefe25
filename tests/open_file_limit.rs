//! `plugwire serve` raises its own open-file limit to fit `--max-connections`: started with a
//! soft limit far below what its sessions need (as shells start programs with 1,024), it still
//! answers every session. Its own test binary, because it changes this process's limit.

#![cfg(target_os = "linux")]

mod common;
#[path = "common/serve_process.rs"]
mod serve_process;

use std::net::SocketAddr;

use common::{RawClient, within};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use serve_process::ServeProcess;

/// The soft limit the server is started with: well below the sessions below.
const STARTED_WITH: u64 = 64;
/// Sessions opened, each a TCP connection, so a descriptor, in the server.
const SESSIONS: usize = 200;

#[tokio::test]
async fn a_server_started_with_a_low_open_file_limit_answers_every_session() {
    let inherited = getrlimit(Resource::Nofile);
    assert!(
        inherited.maximum.is_none_or(|hard| hard >= 1_024),
        "this test needs a hard open-file limit of at least 1,024: {inherited:?}"
    );
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(STARTED_WITH),
            maximum: inherited.maximum,
        },
    )
    .expect("lower the soft open-file limit");
    // The child inherits the low limit; this process gets its own back for the client ends.
    let serve = ServeProcess::start(&["--max-connections", "300"]);
    setrlimit(Resource::Nofile, inherited).expect("restore the open-file limit");

    let addr: SocketAddr = serve
        .url
        .strip_prefix("ws://")
        .and_then(|address| address.parse().ok())
        .expect("a ws://IP:PORT URL");
    let clients = within(async {
        let mut clients = Vec::with_capacity(SESSIONS);
        for n in 0..SESSIONS {
            let mut client = RawClient::connect(addr).await;
            let reply = client.handshake_v4().await;
            assert!(
                reply[0]["ServerInfo"].is_object(),
                "session {n} got {reply} instead of ServerInfo"
            );
            clients.push(client);
        }
        clients
    })
    .await;
    // And it stops cleanly with all of them open.
    let status = serve.interrupt();
    assert!(status.success(), "plugwire serve exited with {status}");
    drop(clients);
}

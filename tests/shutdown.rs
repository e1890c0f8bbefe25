//! `plugwire serve` stopped by SIGTERM always exits, and promptly, even with a peer that never
//! finishes its REST request: a service manager's stop must not hang on a stranger.

#![cfg(all(
    unix,
    feature = "cli",
    feature = "rest",
    feature = "websocket",
    feature = "json"
))]

mod common;
#[path = "common/serve_process.rs"]
mod serve_process;

use std::time::{Duration, Instant};

use serve_process::ServeProcess;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// What a stop may take: the server's 2 s drain, and room for a busy machine.
const EXIT_WITHIN: Duration = Duration::from_secs(3);

#[tokio::test]
async fn sigterm_with_a_half_sent_request_open_exits_in_time() {
    let mut serve = ServeProcess::start(&["--rest-api-port", "0"]);
    let rest = serve.line_after("plugwire REST API on http://");
    let mut stranger = common::within(TcpStream::connect(rest.as_str()))
        .await
        .expect("connect to the REST API");
    // The head of a request, never finished.
    stranger
        .write_all(b"PUT /api/v1/devices/0/outputs/Vibrate/1.0 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("send half a request");
    let asked = Instant::now();
    let status = tokio::task::spawn_blocking(move || serve.terminate())
        .await
        .expect("wait for the exit");
    let took = asked.elapsed();
    assert!(status.success(), "plugwire serve exited with {status}");
    assert!(took < EXIT_WITHIN, "took {took:?} to exit");
    drop(stranger);
}

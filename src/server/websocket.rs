//! Serving over the WebSocket transport: the accept loop.

use std::sync::Arc;

use plugwire_core::Serializer;
use plugwire_websocket::WebSocketListener;
use tracing::{Instrument, debug, info, info_span, warn};

use super::Server;

impl Server {
    /// Accepts WebSocket connections on `listener` until the server shuts down; each one
    /// becomes a session. Slow upgrades never hold up the accept loop.
    pub async fn listen_websocket<S: Serializer>(
        self: &Arc<Self>,
        listener: WebSocketListener,
        serializer: Arc<S>,
    ) {
        let shutdown = self.shutdown_token();
        info!(address = %listener.local_addr(), "listening for WebSocket clients");
        loop {
            let pending = tokio::select! {
                pending = listener.accept() => pending,
                () = shutdown.cancelled() => break,
            };
            let pending = match pending {
                Ok(pending) => pending,
                Err(error) => {
                    // Accept errors (out of descriptors, aborted handshakes) are transient.
                    warn!(%error, "accept failed");
                    continue;
                }
            };
            let server = self.clone();
            let serializer = serializer.clone();
            let peer = pending.peer().to_string();
            let span = info_span!("upgrade", %peer);
            self.tasks.spawn(
                async move {
                    match pending.upgrade().await {
                        Ok(transport) => {
                            server.serve_transport(transport, serializer, &format!("ws {peer}"))
                        }
                        Err(error) => debug!(%error, "WebSocket upgrade failed"),
                    }
                }
                .instrument(span),
            );
        }
    }
}

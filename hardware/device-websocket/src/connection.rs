//! One device's connection: the upgrade (with the access token), the identification frame
//! within a bounded time (and only while newer connections have not pushed it out), matching it against the configuration, attaching the device, and
//! then the loop that carries its frames and pings it until it is gone.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{Instrument, debug, info, info_span, warn};

use plugwire_core::access::AccessToken;
use plugwire_devices::DeviceManager;
use plugwire_devices::config::DeviceConfig;
use plugwire_devices::hardware::{ByteLink, HardwareError};
use plugwire_devices::{admit, attach};

use crate::hardware::{Outgoing, WebSocketHardware};
use crate::{DeviceWebSocketError, DeviceWebSocketOptions, Identification};
use plugwire_core::log_limit::{LogLimit, said, shown};
use plugwire_core::room::Pass;

/// Log lines about refused connections (a stranger decides how many there are): at most
/// this many per [`REFUSAL_LOG_WINDOW`].
const REFUSAL_LOG_LINES: u32 = 10;
/// The window [`REFUSAL_LOG_LINES`] counts in.
const REFUSAL_LOG_WINDOW: Duration = Duration::from_secs(10);

/// What every connection's task needs.
pub(crate) struct ServerState {
    /// Weak: the device manager owns this server.
    pub(crate) devices: Weak<DeviceManager>,
    pub(crate) config: Arc<DeviceConfig>,
    pub(crate) options: DeviceWebSocketOptions,
    /// Bounds the log lines about refused connections.
    refusals: LogLimit,
}

impl ServerState {
    pub(crate) fn new(
        devices: Weak<DeviceManager>,
        config: Arc<DeviceConfig>,
        options: DeviceWebSocketOptions,
    ) -> Self {
        Self {
            devices,
            config,
            options,
            refusals: LogLimit::new(REFUSAL_LOG_LINES, REFUSAL_LOG_WINDOW),
        }
    }

    /// Logs that a connection from `peer` was refused, unless too many were lately; at warn
    /// level when someone should look (a wrong token, a device nothing claims), else at info.
    fn refused(&self, peer: SocketAddr, warning: bool, why: &str) {
        let Some(unsaid) = self.refusals.admit(Instant::now()) else {
            debug!(%peer, "device WebSocket connection refused: {why}");
            return;
        };
        if warning {
            warn!(%peer, also_refused_since_last_said = unsaid, "device WebSocket connection refused: {why}");
        } else {
            info!(%peer, also_refused_since_last_said = unsaid, "device WebSocket connection refused: {why}");
        }
    }
}

type Socket = WebSocketStream<TcpStream>;

/// Serves one accepted connection until its device is gone (or it never became one). It holds
/// `pass`, its place among the connections waiting to identify, until it has identified
/// itself (or failed to, or was pushed out by newer ones).
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    mut pass: Pass,
    inner: Arc<ServerState>,
) {
    let options = &inner.options;
    let opened = tokio::select! {
        opened = tokio::time::timeout(options.identify_timeout, identify(stream, options)) => opened,
        () = pass.pushed_out() => {
            // Logged (bounded) where it was pushed out.
            debug!(%peer, "device WebSocket connection pushed out before it identified");
            return;
        }
    };
    drop(pass);
    let (mut socket, identification) = match opened {
        Ok(Ok(identified)) => identified,
        Ok(Err(error)) => {
            let warning = matches!(error, DeviceWebSocketError::AccessToken);
            inner.refused(peer, warning, &said(&chain(&error)));
            return;
        }
        Err(_) => {
            let error = DeviceWebSocketError::IdentifyTimeout(options.identify_timeout);
            inner.refused(peer, false, &error.to_string());
            return;
        }
    };
    let span = info_span!(
        "device websocket",
        %peer,
        identifier = %shown(&identification.identifier),
        address = %shown(&identification.address)
    );
    async move {
        let options = &inner.options;
        let Some(protocol) = inner.config.match_websocket(&identification.identifier) else {
            let why = format!(
                "no protocol has a `websocket` entry named {}; add one to a user device configuration",
                shown(&identification.identifier)
            );
            inner.refused(peer, true, &why);
            let _ = tokio::time::timeout(options.write_timeout, socket.close(None)).await;
            return;
        };
        let protocol = protocol.to_owned();
        let admitted = admit(
            &inner.config,
            &protocol,
            &identification.identifier,
            &identification.address,
        );
        if let Err(refusal) = admitted {
            inner.refused(peer, true, &said(&refusal.to_string()));
            let _ = tokio::time::timeout(options.write_timeout, socket.close(None)).await;
            return;
        }
        let Some(devices) = inner.devices.upgrade() else {
            return;
        };
        info!(protocol, "device connected over WebSocket");
        let endpoints = inner.config.protocol_endpoints(&protocol);
        let (hardware, link, queue) = WebSocketHardware::new(identification, endpoints);
        let hardware = Arc::new(hardware);
        // The frames must flow while the protocol identifies the device.
        tokio::spawn(carry(socket, link.clone(), queue, options.clone()).in_current_span());
        if let Err(error) = attach(&devices, &inner.config, &protocol, hardware).await {
            let why = said(&chain(&error));
            inner.refused(peer, true, &format!("could not set up a {protocol} device: {why}"));
            link.lost();
        }
    }
    .instrument(span)
    .await;
}

/// Upgrades the connection (checking the access token) and reads its identification frame.
async fn identify(
    stream: TcpStream,
    options: &DeviceWebSocketOptions,
) -> Result<(Socket, Identification), DeviceWebSocketError> {
    let config = WebSocketConfig::default()
        .max_frame_size(Some(options.max_frame_size))
        .max_message_size(Some(options.max_frame_size));
    let token = options.access_token.clone();
    let wrong_token = AtomicBool::new(false);
    // tungstenite's callback type fixes the error's size.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, response: Response| match &token {
        Some(token) => check_token(token, request, response).inspect_err(|_| {
            wrong_token.store(true, Ordering::Relaxed);
        }),
        None => Ok(response),
    };
    let mut socket = tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config))
        .await
        .map_err(|error| {
            if wrong_token.load(Ordering::Relaxed) {
                DeviceWebSocketError::AccessToken
            } else {
                DeviceWebSocketError::Upgrade(error)
            }
        })?;
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let identification = Identification::parse(&text)?;
                return Ok((socket, identification));
            }
            Some(Ok(Message::Binary(_))) => return Err(DeviceWebSocketError::BinaryIdentification),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Some(Ok(Message::Close(_))) | None => return Err(DeviceWebSocketError::ClosedEarly),
            Some(Err(error)) => return Err(DeviceWebSocketError::Upgrade(error)),
        }
    }
}

/// The upgrade callback when a token is required: the token as the URL's path or its
/// `?token=`, as the other WebSocket listeners take it; anything else gets HTTP 401.
#[allow(clippy::result_large_err)]
fn check_token(
    token: &AccessToken,
    request: &Request,
    response: Response,
) -> Result<Response, ErrorResponse> {
    let presented = token.presented_in(request.uri().path(), request.uri().query());
    if presented {
        return Ok(response);
    }
    // Logged (bounded) by the connection's task.
    let mut refusal = ErrorResponse::new(Some("wrong or missing access token".to_owned()));
    *refusal.status_mut() = StatusCode::UNAUTHORIZED;
    Err(refusal)
}

/// Carries frames both ways and pings the device, until it closes, stops answering, fails,
/// or is no longer driven.
async fn carry(
    mut socket: Socket,
    link: Arc<ByteLink>,
    mut queue: mpsc::Receiver<Outgoing>,
    options: DeviceWebSocketOptions,
) {
    let mut ping = tokio::time::interval_at(
        Instant::now() + options.ping_interval,
        options.ping_interval,
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Set by a ping, cleared by anything the device sends.
    let mut answer_by: Option<Instant> = None;
    let why = loop {
        let silent = async {
            match answer_by {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = socket.next() => {
                answer_by = None;
                match frame {
                    Some(Ok(Message::Binary(data))) => link.received(data.to_vec()),
                    // Some devices send their replies as text: the bytes are the same.
                    Some(Ok(Message::Text(text))) => link.received(text.as_bytes().to_vec()),
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(_))) | None => break "the device closed the connection",
                    Some(Err(error)) => {
                        debug!(%error, "device WebSocket failed");
                        break "the connection failed";
                    }
                }
            }
            outgoing = queue.recv() => {
                let Some(Outgoing { data, done }) = outgoing else {
                    break "the device is no longer driven";
                };
                let result = send(&mut socket, Message::binary(data), options.write_timeout).await;
                let failed = result.as_ref().is_err_and(HardwareError::is_disconnected);
                let _ = done.send(result);
                if failed {
                    break "a write failed";
                }
            }
            _ = ping.tick() => {
                if send(&mut socket, Message::Ping(Default::default()), options.write_timeout)
                    .await
                    .is_err()
                {
                    break "a ping could not be sent";
                }
                answer_by.get_or_insert(Instant::now() + options.pong_timeout);
            }
            () = silent => break "the device stopped answering pings",
            () = link.gone() => break "the device was released",
        }
    };
    info!("device WebSocket connection ended: {why}");
    link.lost();
    let _ = tokio::time::timeout(options.write_timeout, socket.close(None)).await;
}

/// Sends one frame within `limit`.
async fn send(socket: &mut Socket, message: Message, limit: Duration) -> Result<(), HardwareError> {
    match tokio::time::timeout(limit, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            debug!(%error, "device WebSocket write failed");
            Err(HardwareError::Disconnected)
        }
        Err(_) => Err(HardwareError::Timeout),
    }
}

/// An error and its sources, for one log line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

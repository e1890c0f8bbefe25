//! `plugwire serve`: a server composed from the flags: devices (simulated, Bluetooth LE,
//! serial ports, forwarded), listeners on every transport, and dial-outs for reversed roles.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use plugwire::AccessToken;
use plugwire::connect::{
    Address, AnyDialer, AnyListener, ConnectOptions, ConnectionUrl, Detect, SerializerKind, Tls,
    default_data_dir,
};
use plugwire::core::Listener;
use plugwire::devices::DeviceManager;
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::forward::accept_forwarders;
use plugwire::server::{HandshakeLimits, SHUTDOWN_DRAIN, Server, ServerConfig, SessionConfig};
use tracing::{info, warn};

use super::error::AnyError;
use super::token::{TokenChoice, access_token};

/// Prints a line scripts and people read to find the server. A closed stdout (the reader went
/// away) must not take the server down, so a failed write is ignored.
macro_rules! announce {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// WebSocket port to listen on [default: 12345, unless the server dials out instead].
    #[arg(long)]
    websocket_port: Option<u16>,
    /// Listen on every interface instead of loopback only (WebSocket).
    #[arg(long)]
    websocket_use_all_interfaces: bool,
    /// The access token listeners beyond loopback require: WebSocket as the URL's path
    /// (`ws://host:port/TOKEN`) or `?token=TOKEN`, QUIC as `?token=TOKEN`. Every local user
    /// can read a command line: prefer --access-token-file or PLUGWIRE_ACCESS_TOKEN [default:
    /// one is made up once, kept in --data-dir and printed].
    #[arg(long, value_name = "TOKEN")]
    access_token: Option<String>,
    /// Read the access token from this file (which only its owner may read).
    #[arg(long, value_name = "PATH", conflicts_with = "access_token")]
    access_token_file: Option<PathBuf>,
    /// Make up a new access token in place of the one kept in --data-dir.
    #[arg(long, conflicts_with_all = ["access_token", "access_token_file"])]
    new_access_token: bool,
    /// Let anyone who can reach a listener beyond loopback drive the devices, with no access
    /// token.
    #[arg(long, conflicts_with_all = ["access_token", "access_token_file", "new_access_token"])]
    dangerously_allow_anyone: bool,
    /// Address to listen on for WebSocket (overrides --websocket-use-all-interfaces).
    #[arg(long)]
    websocket_listen_address: Option<IpAddr>,
    /// Serve the WebSocket port as secure WebSocket (`wss://`), with --websocket-cert and
    /// --websocket-key, or a certificate generated in --data-dir, kept, and its fingerprint
    /// printed.
    #[arg(long)]
    websocket_tls: bool,
    /// Certificate chain (PEM) for `wss://` (from mkcert, a CA, Let's Encrypt); implies
    /// --websocket-tls.
    #[arg(long, requires = "websocket_key", value_name = "PATH")]
    websocket_cert: Option<PathBuf>,
    /// Private key (PEM) for `wss://`.
    #[arg(long, requires = "websocket_cert", value_name = "PATH")]
    websocket_key: Option<PathBuf>,
    /// Announce the WebSocket listeners on the local network over mDNS, under the service type
    /// Intiface Engine uses (`_intiface_engine._tcp`), with their real ports.
    #[arg(long)]
    broadcast_server_mdns: bool,
    /// Added to the announced instance name: `intiface_engine_SUFFIX_xxxxxx`.
    #[arg(long, requires = "broadcast_server_mdns", value_name = "SUFFIX")]
    mdns_suffix: Option<String>,
    /// Also listen on a local socket: a name (Linux abstract socket, Windows pipe) or an
    /// absolute path (socket file, mode 0600).
    #[arg(long, value_name = "NAME_OR_PATH")]
    ipc: Vec<String>,
    /// Also listen on QUIC on this UDP port.
    #[arg(long)]
    quic_port: Option<u16>,
    /// Address to listen on for QUIC.
    #[arg(long, default_value = "127.0.0.1")]
    quic_listen_address: IpAddr,
    /// QUIC certificate (PEM); without it one is generated in --data-dir and kept.
    #[arg(long, requires = "quic_key")]
    quic_cert: Option<PathBuf>,
    /// QUIC private key (PEM).
    #[arg(long, requires = "quic_cert")]
    quic_key: Option<PathBuf>,
    /// Also listen on these connection URLs (`?format=json` or `?format=msgpack` restricts one).
    #[arg(long, value_name = "URL")]
    listen: Vec<ConnectionUrl>,
    /// Accept only this serializer on the --websocket-port, --ipc and --quic-port listeners
    /// [default: detect per connection].
    #[arg(long)]
    format: Option<SerializerKind>,
    /// Dial out to a client waiting at this WebSocket URL instead of listening (reversed roles).
    #[arg(long, value_name = "URL")]
    websocket_client_address: Option<String>,
    /// Dial out to a client waiting at this URL, any transport (reversed roles).
    #[arg(long, value_name = "URL")]
    connect: Vec<ConnectionUrl>,
    /// Also serve the REST API, its server-sent events and the live device page on this TCP
    /// port (0 picks a free one).
    #[arg(long, value_name = "PORT")]
    rest_api_port: Option<u16>,
    /// Address for the REST API; beyond loopback it requires the access token and serves
    /// HTTPS.
    #[arg(long, default_value = "127.0.0.1", requires = "rest_api_port")]
    rest_api_listen_address: IpAddr,
    /// Certificate chain (PEM) for the REST API's HTTPS (from mkcert, a CA, Let's Encrypt);
    /// implies --rest-api-tls [default: one generated in --data-dir, kept, and its fingerprint
    /// printed].
    #[arg(
        long,
        requires = "rest_api_key",
        requires = "rest_api_port",
        value_name = "PATH"
    )]
    rest_api_cert: Option<PathBuf>,
    /// Private key (PEM) for the REST API's HTTPS.
    #[arg(long, requires = "rest_api_cert", value_name = "PATH")]
    rest_api_key: Option<PathBuf>,
    /// Serve the REST API over HTTPS on loopback too (beyond loopback it always is, unless
    /// --rest-api-insecure-http).
    #[arg(long, requires = "rest_api_port")]
    rest_api_tls: bool,
    /// Serve the REST API beyond loopback as plain HTTP: the access token and every command
    /// cross the network in clear, readable by anyone on the way.
    #[arg(
        long,
        requires = "rest_api_port",
        conflicts_with_all = ["rest_api_cert", "rest_api_key", "rest_api_tls"]
    )]
    rest_api_insecure_http: bool,
    /// REST connections open at once; past it the oldest idle one is closed.
    #[arg(long, default_value_t = 256)]
    rest_api_max_connections: usize,
    /// Milliseconds a REST client may take to send a request's head.
    #[arg(long, default_value_t = 5_000)]
    rest_api_header_timeout: u64,
    /// Milliseconds a kept-alive REST connection may stay silent.
    #[arg(long, default_value_t = 30_000)]
    rest_api_idle_timeout: u64,
    /// Server-sent event streams (`GET events`) open at once; more are answered 503.
    #[arg(long, default_value_t = 64)]
    rest_api_max_event_streams: usize,
    /// Accept device forwarders (processes that own devices and dial in, e.g.
    /// `plugwire serve --connect URL`) at this URL; their devices join this server's.
    #[arg(long, value_name = "URL")]
    forwarders: Vec<ConnectionUrl>,
    /// Where generated certificates are kept [default: ~/.local/share/plugwire].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Largest message accepted, in bytes (every transport).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_message_size: usize,
    /// Server name sent to clients.
    #[arg(long, default_value = "plugwire")]
    server_name: String,
    /// Milliseconds a client may go without pinging before its devices stop; 0 turns it off.
    #[arg(long, default_value_t = 0)]
    max_ping_time: u32,
    /// Milliseconds a client may be completely silent (not even answering a WebSocket ping or
    /// a QUIC keep-alive) before its session ends and its devices stop; 0 turns it off.
    #[arg(long, default_value_t = 15_000)]
    liveness_timeout: u64,
    /// Milliseconds a new connection may take to send its Buttplug handshake
    /// (RequestServerInfo) once its transport is up; 0 waits forever.
    #[arg(long, default_value_t = 5_000)]
    handshake_timeout: u64,
    /// Most clients served at once (the open-file limit is raised to fit them).
    #[arg(long, default_value_t = 64)]
    max_connections: usize,
    /// Clients one address beyond this machine may have connected at once (loopback clients
    /// count against --max-connections alone).
    #[arg(long, default_value_t = plugwire::server::DEFAULT_SESSIONS_PER_REMOTE_SOURCE)]
    max_connections_per_remote_address: usize,
    /// Transport handshakes (TLS, WebSocket upgrade, QUIC) each listener carries out at once;
    /// past it the oldest is dropped [default: twice --max-connections].
    #[arg(long)]
    max_handshakes: Option<usize>,
    /// Transport handshakes one address may have under way on a listener; past it that
    /// address's oldest is dropped.
    #[arg(long, default_value_t = plugwire::server::DEFAULT_HANDSHAKES_PER_SOURCE)]
    max_handshakes_per_source: usize,
    /// Simulated devices to add (comma-separated: vibrator, stroker, rotator, or the device
    /// database's archetypes simulated-1vibe, simulated-2vibe, simulated-rotator,
    /// simulated-oscillator, simulated-stroker); each says what it is told in the log.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "vibrator,stroker,rotator"
    )]
    simulated_devices: Vec<SimulatedKind>,
    /// Add no simulated devices.
    #[arg(long, conflicts_with = "simulated_devices")]
    no_simulated_devices: bool,
    /// Find Bluetooth LE devices (scanning when clients ask). Without Bluetooth the server
    /// says so once and serves everything else.
    #[arg(long)]
    use_bluetooth_le: bool,
    /// With --use-bluetooth-le: a toy plugwire attached before in this run that comes back
    /// (switched on again, back in range, the adapter powered again) is attached again without
    /// a client scanning; while such a toy is away, plugwire keeps discovery running itself
    /// (never powering the adapter on for it). Off by default: clients expect devices to
    /// arrive while they scan, a toy switched on for its own app would be taken from it, and
    /// discovery runs for as long as the toy stays away.
    #[arg(long, requires = "use_bluetooth_le")]
    ble_reconnect_known: bool,
    /// Drive devices on the serial ports a user device configuration names
    /// (`--user-device-config-file`), with the protocol and framing it gives them.
    #[arg(long)]
    use_serial: bool,
    /// Accept devices that dial in over WebSocket (restim, VTube Studio plugins, OSSM bridges,
    /// ESP32 toys), matched by the identifier they send against the `websocket` entries of the
    /// device configuration.
    #[arg(long)]
    use_device_websocket_server: bool,
    /// Port of the device WebSocket server (implies --use-device-websocket-server)
    /// [default: 54817].
    #[arg(long, value_name = "PORT")]
    device_websocket_server_port: Option<u16>,
    /// Address of the device WebSocket server (implies --use-device-websocket-server); beyond
    /// loopback devices must present the access token [default: 127.0.0.1].
    #[arg(long, value_name = "IP")]
    device_websocket_server_address: Option<IpAddr>,
    /// Device WebSocket connections that may wait to identify at once; past it the oldest is
    /// closed.
    #[arg(long, default_value_t = 64)]
    device_websocket_max_unidentified: usize,
    /// The same, from one address.
    #[arg(long, default_value_t = 8)]
    device_websocket_max_unidentified_per_source: usize,
    /// Device configuration to use instead of the shipped one (device-config v5 JSON).
    #[arg(long, value_name = "PATH")]
    device_config_file: Option<PathBuf>,
    /// User device configuration: adds names to match or overrides models.
    #[arg(long, value_name = "PATH")]
    user_device_config_file: Option<PathBuf>,
}

/// Serves until Ctrl-C or SIGTERM, then stops every device and closes every session.
pub(super) async fn serve(args: ServeArgs) -> Result<(), AnyError> {
    // Listening for the stop before anything is announced: a stop asked for during start-up
    // is carried out, not met by the signal's default action.
    let stop = shutdown_signal()?;
    // Beside the sessions: a REST client each, and devices waiting to identify.
    let others = args
        .rest_api_port
        .map_or(0, |_| args.rest_api_max_connections)
        .saturating_add(args.device_websocket_max_unidentified);
    super::open_files::fit_to_connections(args.max_connections, others);
    let (devices, device_config) = device_manager(&args)?;
    let server = Server::new(server_config(&args), devices);
    let mut options = ConnectOptions {
        data_dir: args.data_dir.clone(),
        ..ConnectOptions::default()
    };
    options.set_max_message_size(args.max_message_size);
    options.set_liveness_timeout(Duration::from_millis(args.liveness_timeout));

    let dial_out = dial_out_urls(&args)?;
    let mut tasks = Vec::new();
    let loopback_websocket = default_loopback_websocket(&args, dial_out.is_empty());
    let urls = listen_urls(&args, dial_out.is_empty())?;
    // Forwarders' listeners, the REST API and the device WebSocket server are listeners too:
    // beyond loopback they need the token as well.
    let rest_beyond_loopback =
        args.rest_api_port.is_some() && !args.rest_api_listen_address.is_loopback();
    let device_websocket = device_websocket_address(&args);
    let devices_beyond_loopback =
        device_websocket.is_some_and(|address| !address.ip().is_loopback());
    let token = access_token(
        &TokenChoice {
            given: args.access_token.as_deref(),
            file: args.access_token_file.as_deref(),
            renew: args.new_access_token,
            anyone: args.dangerously_allow_anyone,
            data_dir: args.data_dir.clone().unwrap_or_else(default_data_dir),
        },
        urls.iter().chain(&args.forwarders).any(beyond_loopback)
            || rest_beyond_loopback
            || devices_beyond_loopback,
    )?;
    if let Some(address) = device_websocket {
        let token = devices_beyond_loopback.then(|| token.clone()).flatten();
        let unidentified = (
            args.device_websocket_max_unidentified,
            args.device_websocket_max_unidentified_per_source,
        );
        start_device_websocket(
            server.devices(),
            device_config,
            address,
            token,
            unidentified,
        )
        .await?;
    }
    let mut websockets = Vec::new();
    for url in urls {
        let options = with_token(&options, &url, token.as_ref());
        let listener = AnyListener::bind(&url, &options).await?;
        // Scripts and people both read these lines to find the server.
        announce!("plugwire listening on {}", listener.describe());
        websockets.extend(websocket_listener(&url, &listener));
        if loopback_websocket && let Some(ipv6) = ipv6_loopback_twin(&url, &listener) {
            // "localhost" is ::1 alone on some systems (macOS): answer there too, on the same
            // port. A host without IPv6 keeps the IPv4 listener.
            match AnyListener::bind(&ipv6, &options).await {
                Ok(listener) => {
                    announce!("plugwire also listening on {}", listener.describe());
                    websockets.extend(websocket_listener(&ipv6, &listener));
                    tasks.push(spawn_listener(&server, listener, url.serializer));
                }
                Err(error) => warn!(%error, "no IPv6 loopback; listening on 127.0.0.1 only"),
            }
        }
        tasks.push(spawn_listener(&server, listener, url.serializer));
    }
    let _mdns = if args.broadcast_server_mdns {
        Some(announce_over_mdns(
            &websockets,
            args.mdns_suffix.as_deref(),
        )?)
    } else {
        None
    };
    for url in &args.forwarders {
        let listener = AnyListener::bind(url, &with_token(&options, url, token.as_ref())).await?;
        announce!(
            "plugwire accepting device forwarders on {}",
            listener.describe()
        );
        let detect = Detect {
            only: url.serializer,
        };
        tasks.push(tokio::spawn(accept_forwarders(
            server.devices().clone(),
            listener,
            detect,
            server.shutdown_token(),
        )));
    }
    if let Some(port) = args.rest_api_port {
        let address = SocketAddr::new(args.rest_api_listen_address, port);
        let rest_token = if rest_beyond_loopback {
            token.clone()
        } else {
            None
        };
        tasks.push(spawn_rest_api(&server, address, rest_token, &args).await?);
    }
    for url in &dial_out {
        let dialer = AnyDialer::new(url, &options)?;
        announce!("plugwire dialling {url}");
        let server = server.clone();
        let detect = Detect {
            only: url.serializer,
        };
        tasks.push(tokio::spawn(
            async move { server.dial(dialer, detect).await },
        ));
    }
    if tasks.is_empty() {
        return Err("nothing to do: no listener and nothing to dial".into());
    }

    stop.await?;
    info!("stopping every device and closing sessions");
    server.shutdown().await;
    // Listeners and the REST API end with the server; one held open by a peer that never
    // finishes its request is dropped once the drain time is up: the process always exits.
    let aborts: Vec<_> = tasks.iter().map(|task| task.abort_handle()).collect();
    let drained = futures::future::join_all(tasks);
    if tokio::time::timeout(SHUTDOWN_DRAIN, drained).await.is_err() {
        warn!("a listener did not close in time; dropping its connections");
        aborts.iter().for_each(tokio::task::AbortHandle::abort);
    }
    info!("stopped");
    Ok(())
}

/// Whether a network listener's URL reaches beyond this machine (any address but a loopback
/// one). Local sockets never do.
fn beyond_loopback(url: &ConnectionUrl) -> bool {
    let host = match &url.address {
        Address::WebSocket { host, .. } | Address::Quic { host, .. } => host,
        Address::IpcPath(_) | Address::IpcName(_) => return false,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => host != "localhost",
    }
}

/// The options a listener on `url` binds with: the access token on every listener beyond
/// loopback (a URL's own `token=` still wins).
#[allow(unused_mut, unused_variables)]
fn with_token(
    options: &ConnectOptions,
    url: &ConnectionUrl,
    token: Option<&AccessToken>,
) -> ConnectOptions {
    let mut options = options.clone();
    if beyond_loopback(url) {
        #[cfg(feature = "websocket")]
        {
            options.websocket.access_token = token.cloned();
        }
        #[cfg(feature = "quic")]
        {
            options.quic.access_token = token.cloned();
        }
    }
    options
}

/// For the default WebSocket listener on 127.0.0.1, the same listener on `[::1]` and the port
/// it got.
fn ipv6_loopback_twin(url: &ConnectionUrl, listener: &AnyListener) -> Option<ConnectionUrl> {
    let Address::WebSocket {
        url: text,
        host,
        token,
        tls,
        ..
    } = &url.address
    else {
        return None;
    };
    if host != "127.0.0.1" {
        return None;
    }
    let port = listener.local_addr()?.port();
    let scheme = text.split_once("://").map_or("ws", |(scheme, _)| scheme);
    Some(ConnectionUrl {
        address: Address::WebSocket {
            url: format!("{scheme}://[::1]:{port}"),
            host: "::1".to_owned(),
            port,
            token: token.clone(),
            tls: tls.clone(),
        },
        serializer: url.serializer,
    })
}

/// A WebSocket listener as mDNS announces it: where it really listens, and whether over TLS.
fn websocket_listener(url: &ConnectionUrl, listener: &AnyListener) -> Option<WebSocketListening> {
    let Address::WebSocket { tls, .. } = &url.address else {
        return None;
    };
    Some(WebSocketListening {
        address: listener.local_addr()?,
        secure: tls.is_some(),
    })
}

/// Where a WebSocket listener listens.
#[derive(Debug, Clone, Copy)]
// Read only by the mDNS announcement.
#[cfg_attr(not(feature = "mdns"), allow(dead_code))]
struct WebSocketListening {
    address: SocketAddr,
    secure: bool,
}

#[cfg(feature = "mdns")]
fn announce_over_mdns(
    listeners: &[WebSocketListening],
    suffix: Option<&str>,
) -> Result<plugwire::mdns::MdnsAnnouncement, AnyError> {
    use plugwire::mdns::{AnnouncedListener, MdnsAnnouncement};
    let listeners: Vec<AnnouncedListener> = listeners
        .iter()
        .map(|l| AnnouncedListener {
            address: l.address,
            secure: l.secure,
        })
        .collect();
    let announcement = MdnsAnnouncement::start(&listeners, suffix)?;
    for instance in announcement.instances() {
        announce!("plugwire announced over mDNS as {instance}");
    }
    Ok(announcement)
}

#[cfg(not(feature = "mdns"))]
fn announce_over_mdns(_: &[WebSocketListening], _: Option<&str>) -> Result<(), AnyError> {
    Err(
        "--broadcast-server-mdns: this plugwire is built without mDNS (cargo feature `mdns`)"
            .into(),
    )
}

/// Binds the REST API and serves it in its own task until the server shuts down: HTTPS beyond
/// loopback (unless --rest-api-insecure-http), with --rest-api-cert or --rest-api-tls, under the
/// rules of `wss://`: the certificate given, else one generated and kept in --data-dir (stem
/// `rest`), its fingerprint printed.
#[cfg(feature = "rest")]
async fn spawn_rest_api(
    server: &Arc<Server>,
    address: SocketAddr,
    token: Option<AccessToken>,
    args: &ServeArgs,
) -> Result<tokio::task::JoinHandle<()>, AnyError> {
    use plugwire::tls::ServerIdentity;

    let beyond_loopback = !address.ip().is_loopback();
    let https = args.rest_api_cert.is_some()
        || args.rest_api_tls
        || (beyond_loopback && !args.rest_api_insecure_http);
    let identity = if https {
        let identity = match args
            .rest_api_cert
            .as_deref()
            .zip(args.rest_api_key.as_deref())
        {
            Some((cert, key)) => ServerIdentity::from_pem_files(cert, key),
            None => ServerIdentity::load_or_generate(
                &args.data_dir.clone().unwrap_or_else(default_data_dir),
                "rest",
                &plugwire::tls::certificate_names(&address.ip().to_string()),
            ),
        };
        Some(identity.map_err(|error| format!("REST API certificate: {error}"))?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| format!("REST API: cannot listen on {address}: {error}"))?;
    let local = listener.local_addr()?;
    let mut api = plugwire::rest::RestApi::new(server.clone())
        .with_access_token(token)
        .max_connections(args.rest_api_max_connections)
        .header_timeout(Duration::from_millis(args.rest_api_header_timeout))
        .idle_timeout(Duration::from_millis(args.rest_api_idle_timeout))
        .max_subscribers(args.rest_api_max_event_streams);
    match &identity {
        Some(identity) => {
            api = api.with_tls(identity)?;
            announce!("plugwire REST API on https://{local}");
            announce!(
                "plugwire REST API certificate fingerprint: {}",
                identity.fingerprint()
            );
        }
        None => {
            if beyond_loopback {
                warn!(
                    "--rest-api-insecure-http: the REST API beyond loopback is plain HTTP; the \
                     access token and every command cross the network in clear"
                );
            }
            announce!("plugwire REST API on http://{local}");
        }
    }
    Ok(tokio::spawn(async move {
        if let Err(error) = api.serve(listener).await {
            warn!(%error, "the REST API stopped");
        }
    }))
}

#[cfg(not(feature = "rest"))]
async fn spawn_rest_api(
    _: &Arc<Server>,
    _: SocketAddr,
    _: Option<AccessToken>,
    _: &ServeArgs,
) -> Result<tokio::task::JoinHandle<()>, AnyError> {
    Err(
        "--rest-api-port: this plugwire is built without the REST API (cargo feature `rest`)"
            .into(),
    )
}

/// Serves clients on `listener` in its own task.
fn spawn_listener(
    server: &Arc<Server>,
    listener: AnyListener,
    only: Option<SerializerKind>,
) -> tokio::task::JoinHandle<()> {
    let server = server.clone();
    tokio::spawn(async move { server.listen(listener, Detect { only }).await })
}

/// Whether the WebSocket listener is the default loopback one (no address given, not every
/// interface), which answers on both loopbacks.
fn default_loopback_websocket(args: &ServeArgs, default_websocket: bool) -> bool {
    (args.websocket_port.is_some() || default_websocket)
        && args.websocket_listen_address.is_none()
        && !args.websocket_use_all_interfaces
}

/// The device manager with the devices the flags ask for (simulated now; serial ports and
/// Bluetooth LE as they come up), and the device configuration.
fn device_manager(args: &ServeArgs) -> Result<(Arc<DeviceManager>, Arc<DeviceConfig>), AnyError> {
    let devices = Arc::new(DeviceManager::new());
    if !args.no_simulated_devices {
        for kind in &args.simulated_devices {
            SimulatedDevice::add_to(&devices, *kind);
        }
    }
    let device_config = Arc::new(super::device_config::load(
        args.device_config_file.as_ref(),
        args.user_device_config_file.as_ref(),
    )?);
    if args.use_serial {
        start_serial(&devices, device_config.clone())?;
    }
    if args.use_bluetooth_le {
        start_bluetooth(
            devices.clone(),
            device_config.clone(),
            args.ble_reconnect_known,
        )?;
    }
    Ok((devices, device_config))
}

/// Where the device WebSocket server listens, if the flags ask for it: loopback unless told
/// otherwise (intiface-engine binds every interface).
fn device_websocket_address(args: &ServeArgs) -> Option<SocketAddr> {
    let wanted = args.use_device_websocket_server
        || args.device_websocket_server_port.is_some()
        || args.device_websocket_server_address.is_some();
    wanted.then(|| {
        SocketAddr::new(
            args.device_websocket_server_address
                .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            args.device_websocket_server_port.unwrap_or(54817),
        )
    })
}

fn server_config(args: &ServeArgs) -> ServerConfig {
    ServerConfig {
        session: SessionConfig {
            server_name: args.server_name.clone(),
            max_ping_time: Duration::from_millis(u64::from(args.max_ping_time)),
            handshake_timeout: Duration::from_millis(args.handshake_timeout),
            ..SessionConfig::default()
        },
        max_connections: args.max_connections,
        max_sessions_per_remote_source: args.max_connections_per_remote_address,
        handshakes: HandshakeLimits {
            per_listener: args
                .max_handshakes
                .unwrap_or(args.max_connections.saturating_mul(2)),
            per_source: args.max_handshakes_per_source,
        },
    }
}

/// Where to dial out to (reversed roles).
fn dial_out_urls(args: &ServeArgs) -> Result<Vec<ConnectionUrl>, AnyError> {
    let mut urls = args.connect.clone();
    if let Some(address) = &args.websocket_client_address {
        urls.push(address.parse()?);
    }
    Ok(urls)
}

/// Every listener the flags ask for. The WebSocket one is on by default (port 12345), unless
/// the server only dials out.
fn listen_urls(args: &ServeArgs, default_websocket: bool) -> Result<Vec<ConnectionUrl>, AnyError> {
    let mut urls: Vec<ConnectionUrl> = Vec::new();
    let websocket_port = args.websocket_port.or(default_websocket.then_some(12345));
    if let Some(port) = websocket_port {
        let ip = args
            .websocket_listen_address
            .unwrap_or(if args.websocket_use_all_interfaces {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            });
        let mut url: ConnectionUrl = format!("ws://{}", SocketAddr::new(ip, port)).parse()?;
        if let Address::WebSocket { url: text, tls, .. } = &mut url.address
            && (args.websocket_tls || args.websocket_cert.is_some())
        {
            *text = text.replacen("ws://", "wss://", 1);
            *tls = Some(Tls {
                trust: None,
                identity: args.websocket_cert.clone().zip(args.websocket_key.clone()),
            });
        }
        urls.push(url);
    }
    for ipc in &args.ipc {
        let url = if ipc.contains("://") {
            ipc.clone()
        } else {
            format!("ipc://{ipc}")
        };
        urls.push(url.parse()?);
    }
    if let Some(port) = args.quic_port {
        let mut url: ConnectionUrl =
            format!("quic://{}", SocketAddr::new(args.quic_listen_address, port)).parse()?;
        if let Address::Quic { tls, .. } = &mut url.address {
            tls.identity = args.quic_cert.clone().zip(args.quic_key.clone());
        }
        urls.push(url);
    }
    // --format restricts the listeners of the plain flags; --listen URLs say it themselves.
    for url in &mut urls {
        url.serializer = args.format;
    }
    urls.extend(args.listen.iter().cloned());
    Ok(urls)
}

/// Starts Bluetooth LE in the background: a missing or hung stack is reported in one line
/// and everything else keeps being served; with no adapter yet, the first that appears is used.
#[cfg(feature = "ble")]
fn start_bluetooth(
    devices: Arc<DeviceManager>,
    config: Arc<DeviceConfig>,
    reconnect_known: bool,
) -> Result<(), AnyError> {
    use plugwire::ble::{BleManager, BleOptions, BlePolicy};
    let policy = BlePolicy { reconnect_known };
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match BleManager::start_with(devices.clone(), config, BleOptions::default(), policy).await {
            Ok(ble) => {
                devices.add_hardware_manager(ble.clone());
                if !ble.has_adapter() {
                    info!("no Bluetooth adapter yet; the first one that appears is used");
                    ble.adapter_found().await;
                }
                if reconnect_known {
                    info!(
                        "Bluetooth LE ready; scanning when a client asks, and looking for \
                         known toys that went away (--ble-reconnect-known)"
                    );
                } else {
                    info!("Bluetooth LE ready; scanning when a client asks");
                }
            }
            Err(error) => warn!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "Bluetooth LE unavailable: {error}; serving the other devices"
            ),
        }
    });
    Ok(())
}

#[cfg(not(feature = "ble"))]
fn start_bluetooth(_: Arc<DeviceManager>, _: Arc<DeviceConfig>, _: bool) -> Result<(), AnyError> {
    Err(
        "--use-bluetooth-le: this plugwire is built without Bluetooth LE (cargo feature `ble`)"
            .into(),
    )
}

/// Opens the serial ports the user configuration names, now and whenever they come back.
#[cfg(feature = "serial")]
fn start_serial(devices: &Arc<DeviceManager>, config: Arc<DeviceConfig>) -> Result<(), AnyError> {
    use plugwire::serial::{SerialManager, SerialOptions};
    let serial = SerialManager::start(devices, config, SerialOptions::default());
    let ports = serial.configured_ports();
    if ports.is_empty() {
        warn!(
            "--use-serial: no serial port is named; add a `serial` entry with its `port` to a \
             protocol's `communication` in a --user-device-config-file"
        );
    }
    for (port, protocol) in ports {
        info!(%port, protocol, "serial port configured");
    }
    devices.add_hardware_manager(serial);
    Ok(())
}

#[cfg(not(feature = "serial"))]
fn start_serial(_: &Arc<DeviceManager>, _: Arc<DeviceConfig>) -> Result<(), AnyError> {
    Err("--use-serial: this plugwire is built without serial ports (cargo feature `serial`)".into())
}

/// Starts the device WebSocket server, where devices dial in.
#[cfg(feature = "device-websocket")]
async fn start_device_websocket(
    devices: &Arc<DeviceManager>,
    config: Arc<DeviceConfig>,
    address: SocketAddr,
    access_token: Option<AccessToken>,
    (max_unidentified, max_unidentified_per_source): (usize, usize),
) -> Result<(), AnyError> {
    use plugwire::device_websocket::{DeviceWebSocketOptions, DeviceWebSocketServer};
    let identifiers: Vec<_> = config.websocket_identifiers().collect();
    if identifiers.is_empty() {
        warn!(
            "device WebSocket server: no identifier is configured, so every device will be \
             refused; add a `websocket` entry with its `name` to a protocol's `communication` \
             in a --user-device-config-file"
        );
    }
    for (identifier, protocol) in identifiers {
        info!(
            identifier,
            protocol, "device WebSocket identifier configured"
        );
    }
    let options = DeviceWebSocketOptions {
        address,
        access_token,
        max_unidentified,
        max_unidentified_per_source,
        ..DeviceWebSocketOptions::default()
    };
    let server = DeviceWebSocketServer::bind(devices, config, options).await?;
    announce!(
        "plugwire device WebSocket server on ws://{}",
        server.local_addr()
    );
    devices.add_hardware_manager(server);
    Ok(())
}

#[cfg(not(feature = "device-websocket"))]
async fn start_device_websocket(
    _: &Arc<DeviceManager>,
    _: Arc<DeviceConfig>,
    _: SocketAddr,
    _: Option<AccessToken>,
    _: (usize, usize),
) -> Result<(), AnyError> {
    Err(
        "--use-device-websocket-server: this plugwire is built without the device WebSocket \
         server (cargo feature `device-websocket`)"
            .into(),
    )
}

/// Listens for Ctrl-C (SIGINT) or, on Unix, SIGTERM (what service managers send) from now on;
/// the future completes when one arrives.
fn shutdown_signal() -> std::io::Result<impl Future<Output = std::io::Result<()>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => Ok(()),
                _ = terminate.recv() => Ok(()),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(tokio::signal::ctrl_c())
    }
}

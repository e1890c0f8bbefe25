//! `IpcListener`: the accepting role, with stale-socket handling and owner-only permissions.

use std::future::Ready;
use std::io;

use interprocess::local_socket::ListenerOptions;
use interprocess::local_socket::tokio::{Listener as SocketListener, Stream};
use interprocess::local_socket::traits::tokio::{Listener as _, Stream as _};
use plugwire_core::framing::LengthDelimited;
use plugwire_core::{Listener, TransportError};
use tracing::{debug, info};

use crate::{IpcName, IpcOptions, IpcTransport};

/// Accepts local-socket connections.
#[derive(Debug)]
pub struct IpcListener {
    listener: SocketListener,
    name: IpcName,
    options: IpcOptions,
    /// For a socket file: an exclusive lock on `PATH.lock`, held for the listener's life, so
    /// two servers starting at once cannot both take a stale file for theirs.
    _lock: Option<Lock>,
}

impl IpcListener {
    /// Listens on `name`.
    ///
    /// For a socket file: if the file exists and a server answers on it, this fails with
    /// [`io::ErrorKind::AddrInUse`]; if nobody answers (a crashed server's leftover) the file
    /// is replaced. Something at the path that is not a socket is never removed. The new socket
    /// file gets mode 0600, set before it is bound so there is no window with wider access.
    pub async fn bind(name: IpcName, options: IpcOptions) -> Result<Self, TransportError> {
        let bind_error = |source: io::Error| TransportError::Listen {
            address: name.to_string(),
            source: source.into(),
        };
        let socket_name = name.to_name().map_err(bind_error)?;
        let mut listener_options = ListenerOptions::new().name(socket_name.clone());
        let mut lock = None;
        if let IpcName::Path(path) = &name {
            lock = Some(lock_for(path).map_err(bind_error)?);
            if is_stale(path, &name).await.map_err(bind_error)? {
                info!(path = %path.display(), "replacing a stale socket file");
                std::fs::remove_file(path).map_err(bind_error)?;
            }
            listener_options = owner_only(listener_options);
        }
        let listener = listener_options.create_tokio().map_err(bind_error)?;
        Ok(Self {
            listener,
            name,
            options,
            _lock: lock,
        })
    }

    /// The name listened on.
    pub fn name(&self) -> &IpcName {
        &self.name
    }
}

/// The exclusive lock beside a socket file: held while the listener lives, its file removed
/// when it goes.
#[derive(Debug)]
struct Lock {
    path: std::path::PathBuf,
    _file: std::fs::File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other server's lock file is ever removed.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the exclusive lock beside a socket file, or says a server already holds it.
fn lock_for(path: &std::path::Path) -> io::Result<Lock> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Owner-only, and never through a link someone planted at the lock's name.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    // The lock file is removed when its server ends: a lock taken on a file already removed
    // (or replaced) holds nothing, so it is taken again on the file now at the path.
    for _ in 0..LOCK_ATTEMPTS {
        let file = options.open(&lock_path)?;
        match file.try_lock() {
            Ok(()) if still_at(&file, lock_path.as_ref()) => {
                return Ok(Lock {
                    path: lock_path.into(),
                    _file: file,
                });
            }
            Ok(()) => continue,
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("a server is already listening on {}", path.display()),
                ));
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("the lock beside {} keeps changing", path.display()),
    ))
}

/// How many times a lock is taken again on a lock file replaced under it.
const LOCK_ATTEMPTS: usize = 5;

/// Whether `file` is still the file at `path` (not removed or replaced since it was opened).
#[cfg(unix)]
fn still_at(file: &std::fs::File, path: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => (open.dev(), open.ino()) == (named.dev(), named.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &std::fs::File, _: &std::path::Path) -> bool {
    true
}

#[cfg(unix)]
fn owner_only(options: ListenerOptions<'_>) -> ListenerOptions<'_> {
    use interprocess::os::unix::local_socket::ListenerOptionsExt;
    options.mode(0o600)
}

#[cfg(not(unix))]
fn owner_only(options: ListenerOptions<'_>) -> ListenerOptions<'_> {
    options
}

/// Whether `path` holds a socket file nobody listens on. Errors if a server answers, or if the
/// path holds something other than a socket.
async fn is_stale(path: &std::path::Path, name: &IpcName) -> io::Result<bool> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    };
    if !is_socket(&metadata) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} exists and is not a socket; not replacing it",
                path.display()
            ),
        ));
    }
    match Stream::connect(name.to_name()?).await {
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("a server is already listening on {}", path.display()),
        )),
        Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => Ok(true),
        Err(error) => Err(error),
    }
}

/// An abstract socket has no file and so no permissions: only let this user's processes in.
#[cfg(target_os = "linux")]
fn same_user(stream: &Stream) -> Result<(), TransportError> {
    use interprocess::local_socket::traits::StreamCommon as _;
    use std::os::unix::fs::MetadataExt;
    let ours = std::fs::metadata("/proc/self")
        .map_err(TransportError::io)?
        .uid();
    let theirs = stream.peer_creds().map_err(TransportError::io)?.euid();
    if theirs == Some(ours) {
        Ok(())
    } else {
        Err(TransportError::Connect {
            peer: format!("uid {theirs:?}"),
            source: "refused: a local socket name only admits processes of the same user".into(),
        })
    }
}

/// Elsewhere a name maps to a file (or, on Windows, a pipe with its default security).
#[cfg(not(target_os = "linux"))]
fn same_user(_: &Stream) -> Result<(), TransportError> {
    Ok(())
}

#[cfg(unix)]
fn is_socket(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    metadata.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_: &std::fs::Metadata) -> bool {
    true
}

impl Listener for IpcListener {
    type Transport = IpcTransport;
    type Pending = Ready<Result<IpcTransport, TransportError>>;

    async fn accept(&self) -> Result<(Self::Pending, String), TransportError> {
        let stream = loop {
            let stream = self.listener.accept().await.map_err(TransportError::io)?;
            if !matches!(self.name, IpcName::Namespaced(_)) {
                break stream;
            }
            // Another user's process is turned away here, at once: refusals are not accept
            // failures, so no backoff delays the next (legitimate) peer.
            match same_user(&stream) {
                Ok(()) => break stream,
                Err(refusal) => debug!(%refusal, "refused a local-socket peer"),
            }
        };
        let transport = LengthDelimited::new(stream, self.options.max_frame)
            .with_heartbeat(self.options.liveness_timeout);
        Ok((
            std::future::ready(Ok(transport)),
            format!("{} client", self.name),
        ))
    }

    fn describe(&self) -> String {
        self.name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IpcDialer;
    use futures::{SinkExt, StreamExt};
    use plugwire_core::{Establish, Frame};

    fn within<F: std::future::Future>(f: F) -> tokio::time::Timeout<F> {
        tokio::time::timeout(std::time::Duration::from_secs(20), f)
    }

    #[tokio::test]
    async fn frames_round_trip_over_a_socket_file() {
        within(async {
            let dir = tempfile::tempdir().expect("temp dir");
            let name = IpcName::Path(dir.path().join("plugwire.sock"));
            let listener = IpcListener::bind(name.clone(), IpcOptions::default())
                .await
                .expect("bind");
            let mut dialer = IpcDialer::new(name, IpcOptions::default());
            let (client, accepted) = tokio::join!(dialer.establish(), listener.accept());
            let mut client = client.expect("dial");
            let mut server = accepted.expect("accept").0.await.expect("ready");
            let big = Frame::Binary(vec![0xc1; IpcOptions::default().max_frame].into());
            // A frame this large does not fit the socket buffer: read while writing.
            let sending = async {
                client.send(Frame::Text("[]".into())).await.expect("send");
                client.send(big.clone()).await.expect("send near maximum");
            };
            let receiving = async {
                assert_eq!(
                    server.next().await.expect("frame").expect("ok"),
                    Frame::Text("[]".into())
                );
                assert_eq!(server.next().await.expect("frame").expect("ok"), big);
            };
            tokio::join!(sending, receiving);
        })
        .await
        .expect("timed out");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn socket_file_is_owner_only_stale_files_are_replaced_live_servers_kept() {
        use std::os::unix::fs::PermissionsExt;
        within(async {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("plugwire.sock");
            let name = IpcName::Path(path.clone());

            // A crashed server leaves its socket file behind: a bound socket nobody listens on.
            let stale = std::os::unix::net::UnixListener::bind(&path).expect("bind leftover");
            drop(stale);
            assert!(
                path.exists(),
                "std leaves the file behind, as a crash would"
            );

            let live = IpcListener::bind(name.clone(), IpcOptions::default())
                .await
                .expect("replaces stale file");
            let mode = std::fs::metadata(&path)
                .expect("socket file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");

            let second = IpcListener::bind(name.clone(), IpcOptions::default()).await;
            match second {
                Err(TransportError::Listen { source, .. }) => {
                    let io = source.downcast_ref::<io::Error>().expect("an io error");
                    assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
                }
                other => panic!("a second server must be refused, got {other:?}"),
            }
            // Even with the socket file deleted behind its back, the lock keeps a second server
            // from taking the name while the first runs.
            let mut sideways = path.as_os_str().to_owned();
            sideways.push(".moved");
            std::fs::rename(&path, &sideways).expect("move the socket file aside");
            assert!(
                IpcListener::bind(name.clone(), IpcOptions::default())
                    .await
                    .is_err()
            );
            std::fs::rename(&sideways, &path).expect("put it back");
            // The first is untouched and still accepts.
            let mut dialer = IpcDialer::new(name, IpcOptions::default());
            let (dialled, accepted) = tokio::join!(dialer.establish(), live.accept());
            dialled.expect("dial the live server");
            accepted.expect("accept").0.await.expect("ready");
        })
        .await
        .expect("timed out");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn something_that_is_not_a_socket_is_never_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("not-a-socket");
        std::fs::write(&path, b"precious").expect("write");
        let result = IpcListener::bind(IpcName::Path(path.clone()), IpcOptions::default()).await;
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).expect("still there"), b"precious");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn abstract_names_work_and_a_second_server_is_refused() {
        within(async {
            let name = IpcName::Namespaced(format!("plugwire-test-{}", std::process::id()));
            let listener = IpcListener::bind(name.clone(), IpcOptions::default())
                .await
                .expect("bind");
            assert!(
                IpcListener::bind(name.clone(), IpcOptions::default())
                    .await
                    .is_err()
            );
            let mut dialer = IpcDialer::new(name, IpcOptions::default());
            let (dialled, accepted) = tokio::join!(dialer.establish(), listener.accept());
            let mut client = dialled.expect("dial");
            let mut server = accepted.expect("accept").0.await.expect("ready");
            server
                .send(Frame::Text("hello".into()))
                .await
                .expect("send");
            assert_eq!(
                client.next().await.expect("frame").expect("ok"),
                Frame::Text("hello".into())
            );
        })
        .await
        .expect("timed out");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_lock_file_is_owner_only_never_a_link_and_gone_after() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plugwire.sock");
        let lock = dir.path().join("plugwire.sock.lock");
        let name = IpcName::Path(path.clone());
        let listener = IpcListener::bind(name.clone(), IpcOptions::default())
            .await
            .expect("bind");
        let mode = std::fs::metadata(&lock)
            .expect("a lock file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
        drop(listener);
        assert!(!lock.exists(), "the lock file is removed with the listener");
        // A link planted at the lock's name is not followed.
        let elsewhere = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&elsewhere, &lock).expect("plant a link");
        let _ = std::fs::remove_file(&path);
        assert!(
            IpcListener::bind(name, IpcOptions::default())
                .await
                .is_err()
        );
        assert!(!elsewhere.exists(), "nothing was created through the link");
    }

    #[tokio::test]
    async fn a_socket_in_a_missing_directory_says_it_could_not_listen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let name = IpcName::Path(dir.path().join("missing").join("plugwire.sock"));
        let error = IpcListener::bind(name, IpcOptions::default())
            .await
            .expect_err("no such directory");
        let message = error.to_string();
        assert!(
            message.starts_with("could not listen on ipc://"),
            "{message}"
        );
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert!(
            source.is_some_and(|s| s.contains("No such file")),
            "{error:?}"
        );
    }
}

//! `IpcName`: where a local socket lives.

use std::fmt;
use std::io;
use std::path::PathBuf;

use interprocess::local_socket::{GenericFilePath, GenericNamespaced, Name, ToFsName, ToNsName};

/// A local socket's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IpcName {
    /// A socket file (Unix) at this absolute path.
    Path(PathBuf),
    /// A name with no file: a Linux abstract socket, or a Windows named pipe.
    Namespaced(String),
}

impl IpcName {
    pub(crate) fn to_name(&self) -> io::Result<Name<'_>> {
        match self {
            Self::Path(path) => path.as_path().to_fs_name::<GenericFilePath>(),
            Self::Namespaced(name) => name.as_str().to_ns_name::<GenericNamespaced>(),
        }
    }
}

impl fmt::Display for IpcName {
    /// As a connection URL: `ipc:///absolute/path.sock` or `ipc://name`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => write!(
                f,
                "ipc://{}",
                plugwire_core::url_escape(&path.display().to_string())
            ),
            Self::Namespaced(name) => write!(f, "ipc://{}", plugwire_core::url_escape(name)),
        }
    }
}

//! Files and folders for secrets (keys, tokens): written whole, owner-only, never through a
//! link, in a folder no other user may write to.

use std::io;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` all at once: into a new file beside it (never following a link,
/// owner-only on Unix), then renamed into place, so a reader never sees half a key and an
/// existing file's looser permissions are never kept.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// Whether other users may read `path` (group or others have any permission on it).
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Creates `dir` (and its parents) for secrets: owner-only (0700) when it is made here, and
/// refused when it already exists and another user may write to it (someone could swap a key
/// or a token in it).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let metadata = std::fs::metadata(dir)?;
        let ours = rustix::process::geteuid().as_raw();
        if metadata.permissions().mode() & 0o022 != 0 || metadata.uid() != ours {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} can be written by other users; keep it to yourself (chmod 700)",
                    dir.display()
                ),
            ));
        }
    }
    Ok(())
}

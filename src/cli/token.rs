//! Where `plugwire serve`'s access token comes from: a file only its owner can read, the
//! environment, the command line (which every local user can read in `/proc`), or one made up
//! once and kept in the data directory, so the phones given it keep working after a restart.

use std::path::{Path, PathBuf};

use plugwire::AccessToken;
use tracing::{info, warn};

use super::error::AnyError;

/// The environment variable a token may come from (kept out of the process's command line).
pub(crate) const TOKEN_VARIABLE: &str = "PLUGWIRE_ACCESS_TOKEN";

/// The file, in the data directory, that keeps a generated token.
const KEPT_TOKEN: &str = "access-token";

/// What the command line says about the token.
pub(crate) struct TokenChoice<'a> {
    /// `--access-token`.
    pub(crate) given: Option<&'a str>,
    /// `--access-token-file`.
    pub(crate) file: Option<&'a Path>,
    /// `--new-access-token`: replace the kept one.
    pub(crate) renew: bool,
    /// `--dangerously-allow-anyone`.
    pub(crate) anyone: bool,
    /// Where a generated token is kept.
    pub(crate) data_dir: PathBuf,
}

/// The token listeners beyond loopback require (`beyond`), with the warnings a person running
/// the server should see.
pub(crate) fn access_token(
    choice: &TokenChoice<'_>,
    beyond: bool,
) -> Result<Option<AccessToken>, AnyError> {
    let from_environment = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty());
    let chosen = choice.given.is_some() || choice.file.is_some() || from_environment.is_some();
    if !beyond {
        if chosen {
            warn!(
                "an access token was given, but every listener is on loopback: none is required there"
            );
        }
        return Ok(None);
    }
    if choice.anyone {
        warn!(
            "--dangerously-allow-anyone: whoever can reach a listener beyond loopback can drive \
             the devices, with no token"
        );
        return Ok(None);
    }
    if let Some(given) = choice.given {
        warn!(
            "--access-token is readable by every local user (in /proc); prefer \
             --access-token-file or {TOKEN_VARIABLE}"
        );
        return Ok(Some(AccessToken::new(given)?));
    }
    if let Some(file) = choice.file {
        return Ok(Some(read_secret(file)?));
    }
    if let Some(token) = from_environment {
        return Ok(Some(AccessToken::new(&token)?));
    }
    kept_token(&choice.data_dir, choice.renew).map(Some)
}

/// The token kept in `data_dir`, or a new one made up, kept and printed when there is none
/// (or `renew` asks for one).
fn kept_token(data_dir: &Path, renew: bool) -> Result<AccessToken, AnyError> {
    let path = data_dir.join(KEPT_TOKEN);
    if !renew && path.exists() {
        let token = read_secret(&path)?;
        announce_token(&token, "read from", &path);
        return Ok(token);
    }
    plugwire::tls::private_dir(data_dir)
        .map_err(|error| format!("data directory {}: {error}", data_dir.display()))?;
    let token = plugwire::tls::generate_access_token()?;
    plugwire::tls::write_private(&path, token.as_str().as_bytes()).map_err(|error| {
        format!(
            "cannot keep the access token in {}: {error}",
            path.display()
        )
    })?;
    announce_token(&token, "made up and kept in", &path);
    Ok(token)
}

/// Prints the token for the person starting the server (stdout, never the log); the log says
/// where it is kept.
fn announce_token(token: &AccessToken, how: &str, path: &Path) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stdout(),
        "plugwire access token: {}",
        token.as_str()
    );
    info!(path = %path.display(), "access token {how} the data directory (--new-access-token makes another)");
}

/// A token from a file only its owner may read.
fn read_secret(path: &Path) -> Result<AccessToken, AnyError> {
    if plugwire::tls::readable_by_others(path) {
        return Err(format!(
            "{} is readable by other users; chmod 600 it before it holds a token",
            path.display()
        )
        .into());
    }
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "cannot read the access token in {}: {error}",
            path.display()
        )
    })?;
    Ok(AccessToken::new(text.trim())?)
}

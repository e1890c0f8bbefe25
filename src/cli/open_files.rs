//! The open-file limit a server with many sessions needs. Shells and service managers often
//! start programs with a soft limit of 1,024 descriptors and a hard limit far above it; a
//! server asked for `--max-connections 10000` would otherwise fail to accept past the first
//! thousand.

use tracing::{info, warn};

/// Descriptors beyond the sessions' own and the `others` counted: listeners, the runtime,
/// devices, logs.
const RESERVE: u64 = 256;

/// Raises this process's soft limit on open files (never past the hard limit) to make room
/// for `max_connections` sessions, twice as many connections mid-handshake (a listener's
/// bound on those), `others` (REST clients, devices waiting to identify) and [`RESERVE`], and
/// warns when the hard limit cannot hold the sessions.
#[cfg(unix)]
pub(crate) fn fit_to_connections(max_connections: usize, others: usize) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

    let limit = getrlimit(Resource::Nofile);
    let sessions = u64::try_from(max_connections).unwrap_or(u64::MAX);
    let others = u64::try_from(others).unwrap_or(u64::MAX);
    let wanted = sessions
        .saturating_mul(3)
        .saturating_add(others)
        .saturating_add(RESERVE);
    // `None` is "unlimited".
    let soft = limit.current.unwrap_or(u64::MAX);
    if soft >= wanted {
        return;
    }
    let raised = limit.maximum.map_or(wanted, |hard| hard.min(wanted));
    if raised > soft {
        match setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            },
        ) {
            Ok(()) => info!(from = soft, to = raised, "raised the open-file limit"),
            Err(error) => {
                warn!(%error, soft, "could not raise the open-file limit");
                return warn_if_short(soft, sessions);
            }
        }
    }
    warn_if_short(raised, sessions);
}

/// Windows has no descriptor limit of this kind.
#[cfg(not(unix))]
pub(crate) fn fit_to_connections(_max_connections: usize, _others: usize) {}

/// Warns when `limit` descriptors cannot hold `sessions` sessions and the reserve.
#[cfg(unix)]
fn warn_if_short(limit: u64, sessions: u64) {
    if limit < sessions.saturating_add(RESERVE) {
        warn!(
            limit,
            max_connections = sessions,
            "the open-file limit is too low for --max-connections; raise the hard limit \
             (ulimit -Hn, LimitNOFILE=) or lower --max-connections"
        );
    }
}

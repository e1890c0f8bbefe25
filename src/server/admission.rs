//! Admission to a server: how many transport handshakes a listener carries out at once (they
//! wait in a `plugwire_core::room::Room`, the oldest pushed out), sessions still without their
//! Buttplug handshake (the oldest closed when the server is full), and sessions per remote
//! address.

use std::collections::VecDeque;

use plugwire_core::sync::Mutex;

/// Handshakes a listener allows at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeLimits {
    /// In all, on one listener.
    pub per_listener: usize,
    /// From one source address (one IP; one local-socket name for IPC).
    pub per_source: usize,
}

/// Sessions admitted that have not yet sent `RequestServerInfo`, oldest first. When every
/// connection is taken, the oldest of these is closed to make room for a newcomer: sockets
/// that connect and say nothing cannot keep prompt clients out for the handshake timeout.
#[derive(Default)]
pub(crate) struct AwaitingHandshake {
    queue: Mutex<VecDeque<(u64, tokio_util::sync::CancellationToken)>>,
}

impl AwaitingHandshake {
    /// Records session `id`; the token is cancelled when it must make room.
    pub(crate) fn add(&self, id: u64) -> tokio_util::sync::CancellationToken {
        let token = tokio_util::sync::CancellationToken::new();
        self.queue.lock().push_back((id, token.clone()));
        token
    }

    /// Session `id` has its handshake, or has ended.
    pub(crate) fn done(&self, id: u64) {
        self.queue.lock().retain(|(waiting, _)| *waiting != id);
    }

    /// Closes the oldest session still waiting; whether there was one.
    pub(crate) fn evict_oldest(&self) -> bool {
        match self.queue.lock().pop_front() {
            Some((_, token)) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

/// Sessions under way per remote source: no address beyond this machine may hold more than its
/// share of the server's sessions. Loopback peers (this machine's own apps, a local load test)
/// are bounded by the global limit alone.
pub(crate) struct SessionsBySource {
    max_per_source: usize,
    counts: Mutex<std::collections::HashMap<String, usize>>,
}

/// One session counted against its source until dropped.
pub(crate) struct SourceSlot {
    sessions: std::sync::Arc<SessionsBySource>,
    source: Option<String>,
}

impl SessionsBySource {
    pub(crate) fn new(max_per_source: usize) -> Self {
        Self {
            max_per_source: max_per_source.max(1),
            counts: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// A slot for a session from `peer`, or `None` when its source already holds its share.
    pub(crate) fn admit(self: &std::sync::Arc<Self>, peer: &str) -> Option<SourceSlot> {
        if !is_remote(peer) {
            return Some(SourceSlot {
                sessions: self.clone(),
                source: None,
            });
        }
        let source = source_of(peer);
        let mut counts = self.counts.lock();
        let count = counts.entry(source.clone()).or_insert(0);
        if *count >= self.max_per_source {
            return None;
        }
        *count += 1;
        Some(SourceSlot {
            sessions: self.clone(),
            source: Some(source),
        })
    }
}

impl Drop for SourceSlot {
    fn drop(&mut self) {
        if let Some(source) = &self.source {
            let mut counts = self.sessions.counts.lock();
            if let Some(count) = counts.get_mut(source) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(source);
                }
            }
        }
    }
}

/// The source a peer description counts against: its IP address when it has one (`ws
/// 127.0.0.1:5000` and `ws 127.0.0.1:5001` are one source; an IPv4 address mapped into IPv6 is
/// the IPv4 address; an IPv6 address counts as its /64, the least one host is given), else the
/// whole description.
pub(crate) fn source_of(peer: &str) -> String {
    let address = peer.rsplit(' ').next().unwrap_or(peer);
    match address.parse::<std::net::SocketAddr>() {
        Ok(address) => match address.ip().to_canonical() {
            std::net::IpAddr::V6(ip) => {
                let [a, b, c, d, ..] = ip.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            ip => ip.to_string(),
        },
        Err(_) => peer.to_owned(),
    }
}

/// Whether a peer description names an address beyond this machine.
fn is_remote(peer: &str) -> bool {
    let address = peer.rsplit(' ').next().unwrap_or(peer);
    address
        .parse::<std::net::SocketAddr>()
        .is_ok_and(|address| !address.ip().to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_address_holds_at_most_its_share_and_loopback_is_not_counted() {
        let sessions = std::sync::Arc::new(SessionsBySource::new(2));
        let first = sessions.admit("ws 10.0.0.5:1000").expect("first");
        let _second = sessions.admit("ws 10.0.0.5:1001").expect("second");
        assert!(
            sessions.admit("ws 10.0.0.5:1002").is_none(),
            "a third is refused"
        );
        assert!(
            sessions.admit("quic 10.0.0.6:1").is_some(),
            "another address has its own share"
        );
        let local: Vec<_> = (0..10)
            .map(|port| sessions.admit(&format!("ws 127.0.0.1:{port}")))
            .collect();
        assert!(
            local.iter().all(Option::is_some),
            "loopback is bounded globally only"
        );
        drop(first);
        assert!(
            sessions.admit("ws 10.0.0.5:1003").is_some(),
            "a slot frees when one ends"
        );
    }

    #[test]
    fn the_oldest_session_without_a_handshake_makes_room() {
        let awaiting = AwaitingHandshake::default();
        let first = awaiting.add(1);
        let second = awaiting.add(2);
        awaiting.done(1);
        assert!(awaiting.evict_oldest(), "the second still waits");
        assert!(second.is_cancelled() && !first.is_cancelled());
        assert!(!awaiting.evict_oldest(), "no one is left waiting");
    }

    #[test]
    fn one_source_is_one_ip() {
        assert_eq!(source_of("ws 127.0.0.1:5000"), "127.0.0.1");
        assert_eq!(source_of("ws [::ffff:127.0.0.1]:5000"), "127.0.0.1");
        assert_eq!(
            source_of("quic [2001:db8:1:2:3::4]:443"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            source_of("quic [2001:db8:1:2:ffff::9]:443"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(source_of("plugwire.sock client"), "plugwire.sock client");
        assert!(!is_remote("ws [::ffff:127.0.0.1]:5000"));
        assert!(is_remote("ws 10.0.0.5:5000"));
    }
}

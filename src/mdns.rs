//! Announcing WebSocket listeners on the local network over mDNS / DNS-SD, under the service
//! type Intiface Engine uses, so apps that look for a Buttplug server that way find plugwire.
//!
//! Each announced listener gets its real port and its real addresses (every interface address
//! for a listener on `0.0.0.0` or `::`, kept current as they change). TXT records say the path
//! (`path=/`) and the scheme (`scheme=ws` or `wss`). An access token is never announced: a
//! client learns it from the person running the server.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};

use mdns_sd::{ServiceDaemon, ServiceInfo};
use tracing::{info, warn};

/// The DNS-SD service type Intiface Engine announces itself under.
pub const SERVICE_TYPE: &str = "_intiface_engine._tcp.local.";

/// A listener to announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnouncedListener {
    /// The address it is bound to (the port it really got, not the one asked for).
    pub address: SocketAddr,
    /// Whether it speaks `wss://`.
    pub secure: bool,
}

/// Why the announcement could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsError {
    /// The mDNS responder could not start or refused a record.
    #[error("mDNS: {0}")]
    Responder(#[from] mdns_sd::Error),
    /// There was nothing to announce.
    #[error("mDNS: no WebSocket listener to announce")]
    NothingToAnnounce,
}

/// Listeners being announced; the announcement ends (goodbye packets sent) when this is
/// dropped.
pub struct MdnsAnnouncement {
    daemon: ServiceDaemon,
    instances: Vec<String>,
}

impl std::fmt::Debug for MdnsAnnouncement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MdnsAnnouncement")
            .field("instances", &self.instances)
            .finish_non_exhaustive()
    }
}

impl MdnsAnnouncement {
    /// Announces `listeners`. Listeners on the same port and scheme (`127.0.0.1` and `::1`)
    /// are one service with both addresses. Instance names are
    /// `intiface_engine_{suffix}_{six random characters}`, as Intiface names its own.
    pub fn start(listeners: &[AnnouncedListener], suffix: Option<&str>) -> Result<Self, MdnsError> {
        let mut services: BTreeMap<(u16, bool), Vec<IpAddr>> = BTreeMap::new();
        for listener in listeners {
            services
                .entry((listener.address.port(), listener.secure))
                .or_default()
                .push(listener.address.ip());
        }
        if services.is_empty() {
            return Err(MdnsError::NothingToAnnounce);
        }
        let daemon = ServiceDaemon::new()?;
        let mut announcement = Self {
            daemon,
            instances: Vec::new(),
        };
        for ((port, secure), addresses) in services {
            let instance = instance_name(suffix);
            let any_interface = addresses.iter().any(IpAddr::is_unspecified);
            let specific: Vec<IpAddr> = addresses
                .iter()
                .copied()
                .filter(|ip| !ip.is_unspecified())
                .collect();
            if addresses.iter().all(IpAddr::is_loopback) {
                warn!(
                    port,
                    "announcing a loopback listener: only this machine can reach it"
                );
            }
            let scheme = if secure { "wss" } else { "ws" };
            let properties = [("path", "/"), ("scheme", scheme)];
            let host = format!("{instance}.local.");
            let mut service = ServiceInfo::new(
                SERVICE_TYPE,
                &instance,
                &host,
                specific.as_slice(),
                port,
                &properties[..],
            )?;
            if any_interface {
                service = service.enable_addr_auto();
            }
            let fullname = service.get_fullname().to_owned();
            announcement.daemon.register(service)?;
            info!(instance = %fullname, port, scheme, "announced over mDNS");
            announcement.instances.push(fullname);
        }
        Ok(announcement)
    }

    /// The full DNS-SD names announced (`intiface_engine_..._intiface_engine._tcp.local.`).
    pub fn instances(&self) -> &[String] {
        &self.instances
    }
}

impl Drop for MdnsAnnouncement {
    fn drop(&mut self) {
        // Best effort: the goodbyes go out from the responder's own thread.
        for instance in &self.instances {
            let _ = self.daemon.unregister(instance);
        }
        let _ = self.daemon.shutdown();
    }
}

/// `intiface_engine_{suffix}_{random}`: unique on the network even for several servers with
/// the same suffix.
fn instance_name(suffix: Option<&str>) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // A randomly keyed hash: not for secrets, only to tell instances apart.
    let mut bits = RandomState::new().hash_one(std::process::id());
    let random: String = (0..6)
        .map(|_| {
            let index = usize::try_from(bits % ALPHABET.len() as u64).unwrap_or(0);
            bits /= ALPHABET.len() as u64;
            char::from(ALPHABET[index])
        })
        .collect();
    format!("intiface_engine_{}_{random}", suffix.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_follow_intiface_and_differ() {
        let a = instance_name(Some("bedroom"));
        let b = instance_name(Some("bedroom"));
        assert!(
            a.starts_with("intiface_engine_bedroom_") && a.len() == 30,
            "{a}"
        );
        assert_ne!(a, b);
        assert!(instance_name(None).starts_with("intiface_engine__"));
    }
}

//! The connections that have not yet identified themselves (upgrading, or upgraded and not yet
//! sent their identification frame), bounded in all and per source address. When a bound is
//! reached the oldest one (of that source, or of all) is dropped to make room for the newcomer:
//! a crowd of idle sockets holds its room only until new peers arrive, so a device that
//! identifies itself promptly always gets in. It is the policy of the Buttplug listeners'
//! handshake room; identified devices are not counted.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use plugwire_core::sync::Mutex;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{debug, warn};

use plugwire_core::log_limit::LogLimit;

/// How often the log says that connections are being dropped to make room.
static PUSHED_OUT_LOG: LogLimit = LogLimit::new(1, Duration::from_secs(10));

/// Connections allowed to be waiting to identify at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// In all.
    pub(crate) overall: usize,
    /// From one IP address.
    pub(crate) per_source: usize,
}

/// One connection waiting to identify.
struct Waiting {
    ticket: u64,
    source: IpAddr,
    /// Dropped to tell the connection it was pushed out.
    _room: oneshot::Sender<()>,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    /// Oldest first.
    waiting: VecDeque<Waiting>,
}

/// The connections of one server waiting to identify.
pub(crate) struct Unidentified {
    limits: Limits,
    queue: Mutex<Queue>,
}

impl Unidentified {
    /// Room for `limits` (each at least 1).
    pub(crate) fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits: Limits {
                overall: limits.overall.max(1),
                per_source: limits.per_source.max(1),
            },
            queue: Mutex::new(Queue::default()),
        })
    }

    /// Makes room for a connection from `source`, dropping the oldest one of that source or
    /// of all when a limit is reached. The connection leaves when the pass is dropped.
    pub(crate) fn enter(self: &Arc<Self>, source: IpAddr) -> Pass {
        let (room, pushed_out) = oneshot::channel();
        let mut queue = self.queue.lock();
        let same_source = queue.waiting.iter().filter(|w| w.source == source).count();
        let oldest = if same_source >= self.limits.per_source {
            queue.waiting.iter().position(|w| w.source == source)
        } else if queue.waiting.len() >= self.limits.overall {
            Some(0)
        } else {
            None
        };
        if let Some(dropped) = oldest.and_then(|at| queue.waiting.remove(at)) {
            // Dropping it (its sender) ends that connection's wait.
            debug!(source = %dropped.source, "too many connections waiting to identify; dropping the oldest");
            if let Some(unsaid) = PUSHED_OUT_LOG.admit(Instant::now()) {
                warn!(
                    source = %dropped.source,
                    waiting = queue.waiting.len() + 1,
                    also_dropped_since_last_said = unsaid,
                    "device WebSocket server: too many connections waiting to identify; dropping the oldest"
                );
            }
        }
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push_back(Waiting {
            ticket,
            source,
            _room: room,
        });
        Pass {
            room: self.clone(),
            ticket,
            pushed_out: Some(pushed_out),
        }
    }

    /// How many are waiting.
    pub(crate) fn len(&self) -> usize {
        self.queue.lock().waiting.len()
    }

    fn leave(&self, ticket: u64) {
        self.queue.lock().waiting.retain(|w| w.ticket != ticket);
    }
}

/// A connection's place among those waiting to identify; it leaves when this is dropped.
pub(crate) struct Pass {
    room: Arc<Unidentified>,
    ticket: u64,
    /// `None` once it has been pushed out.
    pushed_out: Option<oneshot::Receiver<()>>,
}

impl Pass {
    /// Resolves when a newer connection pushed this one out.
    pub(crate) async fn pushed_out(&mut self) {
        if let Some(pushed_out) = &mut self.pushed_out {
            // The sender is only ever dropped, never used.
            let _ = pushed_out.await;
            self.pushed_out = None;
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.room.leave(self.ticket);
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn is_out(pass: &mut Pass) -> bool {
        pass.pushed_out().now_or_never().is_some()
    }

    #[test]
    fn the_oldest_of_a_full_source_is_pushed_out_not_the_newcomer() {
        let room = Unidentified::new(Limits {
            overall: 10,
            per_source: 2,
        });
        let mut first = room.enter(ip(1));
        let mut second = room.enter(ip(1));
        let mut other = room.enter(ip(2));
        let mut newest = room.enter(ip(1));
        assert!(is_out(&mut first));
        assert!(!is_out(&mut second) && !is_out(&mut other) && !is_out(&mut newest));
        assert_eq!(room.len(), 3);
        drop(first);
        assert_eq!(room.len(), 3, "a pushed-out pass leaves nothing behind");
        drop(newest);
        drop(other);
        assert_eq!(room.len(), 1);
    }

    #[test]
    fn a_full_room_pushes_out_its_oldest_whatever_the_source() {
        let room = Unidentified::new(Limits {
            overall: 2,
            per_source: 2,
        });
        let mut a = room.enter(ip(1));
        let mut b = room.enter(ip(2));
        let mut c = room.enter(ip(3));
        assert!(is_out(&mut a));
        assert!(!is_out(&mut b) && !is_out(&mut c));
        assert_eq!(room.len(), 2);
    }

    #[test]
    fn zero_limits_still_let_one_in() {
        let room = Unidentified::new(Limits {
            overall: 0,
            per_source: 0,
        });
        let mut a = room.enter(ip(1));
        assert!(!is_out(&mut a));
        let mut b = room.enter(ip(1));
        assert!(is_out(&mut a) && !is_out(&mut b));
    }
}

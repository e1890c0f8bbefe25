//! Room for connections that have not yet proved themselves (a transport handshake under way,
//! a device that has not identified), bounded in all and per source. When a bound is reached
//! the oldest one (of that source, or of all) is pushed out to make room for the newcomer: a
//! crowd of idle sockets holds its room only until new peers arrive, so a peer that finishes
//! promptly always gets in. The Buttplug listeners' handshakes and the device WebSocket
//! server's unidentified devices both wait here.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::sync::Mutex;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::log_limit::LogLimit;

/// How many may wait at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomLimits {
    /// In all.
    pub overall: usize,
    /// From one source (an IP address, a network).
    pub per_source: usize,
}

/// One connection waiting.
struct Waiting {
    ticket: u64,
    source: String,
    /// Dropped to tell the connection it was pushed out.
    _room: oneshot::Sender<()>,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    /// Oldest first.
    waiting: VecDeque<Waiting>,
}

/// The connections of one listener waiting.
pub struct Room {
    /// What waits here, for the log ("transport handshakes").
    what: &'static str,
    limits: RoomLimits,
    queue: Mutex<Queue>,
    /// How often the log says that connections are pushed out to make room.
    pushed_out_log: LogLimit,
}

impl Room {
    /// Room for `limits` (each at least 1) of `what`.
    pub fn new(limits: RoomLimits, what: &'static str) -> Arc<Self> {
        Arc::new(Self {
            what,
            limits: RoomLimits {
                overall: limits.overall.max(1),
                per_source: limits.per_source.max(1),
            },
            queue: Mutex::new(Queue::default()),
            pushed_out_log: LogLimit::new(1, Duration::from_secs(10)),
        })
    }

    /// Makes room for a connection from `source`, dropping the oldest one of that source or
    /// of all when a limit is reached. The connection leaves when the pass is dropped.
    pub fn enter(self: &Arc<Self>, source: &str) -> Pass {
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
            debug!(source = %dropped.source, what = self.what, "room full; pushing out the oldest");
            if let Some(unsaid) = self.pushed_out_log.admit(Instant::now()) {
                warn!(
                    source = %dropped.source,
                    waiting = queue.waiting.len() + 1,
                    also_dropped_since_last_said = unsaid,
                    "too many {} at once; dropping the oldest",
                    self.what
                );
            }
        }
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push_back(Waiting {
            ticket,
            source: source.to_owned(),
            _room: room,
        });
        Pass {
            room: self.clone(),
            ticket,
            pushed_out: Some(pushed_out),
        }
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many are waiting.
    pub fn len(&self) -> usize {
        self.queue.lock().waiting.len()
    }

    fn leave(&self, ticket: u64) {
        self.queue.lock().waiting.retain(|w| w.ticket != ticket);
    }
}

/// A connection's place in the room; it leaves when this is dropped.
pub struct Pass {
    room: Arc<Room>,
    ticket: u64,
    /// `None` once it has been pushed out.
    pushed_out: Option<oneshot::Receiver<()>>,
}

impl Pass {
    /// Resolves when a newer connection pushed this one out.
    pub async fn pushed_out(&mut self) {
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

    fn ip(last: u8) -> String {
        format!("10.0.0.{last}")
    }

    fn is_out(pass: &mut Pass) -> bool {
        pass.pushed_out().now_or_never().is_some()
    }

    #[test]
    fn the_oldest_of_a_full_source_is_pushed_out_not_the_newcomer() {
        let room = Room::new(
            RoomLimits {
                overall: 10,
                per_source: 2,
            },
            "tests",
        );
        let mut first = room.enter(&ip(1));
        let mut second = room.enter(&ip(1));
        let mut other = room.enter(&ip(2));
        let mut newest = room.enter(&ip(1));
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
        let room = Room::new(
            RoomLimits {
                overall: 2,
                per_source: 2,
            },
            "tests",
        );
        let mut a = room.enter(&ip(1));
        let mut b = room.enter(&ip(2));
        let mut c = room.enter(&ip(3));
        assert!(is_out(&mut a));
        assert!(!is_out(&mut b) && !is_out(&mut c));
        assert_eq!(room.len(), 2);
    }

    #[test]
    fn zero_limits_still_let_one_in() {
        let room = Room::new(
            RoomLimits {
                overall: 0,
                per_source: 0,
            },
            "tests",
        );
        let mut a = room.enter(&ip(1));
        assert!(!is_out(&mut a));
        let mut b = room.enter(&ip(1));
        assert!(is_out(&mut a) && !is_out(&mut b));
    }
}

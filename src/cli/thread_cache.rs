//! Worker threads hand their allocation caches back when they go idle.
//!
//! jemalloc keeps a cache of freed objects per thread and trims it only while that thread
//! goes on allocating. A worker that falls idle after a crowd of sessions has left keeps what
//! it last cached, and every cached object holds its whole slab resident, so pages the crowd
//! used would stay in the server's RSS for as long as it idles. So a worker about to park
//! (nothing left to run) flushes its cache if it has freed at least [`FLUSH_AFTER_FREED`]
//! bytes since its last flush and that flush is [`MIN_FLUSH_INTERVAL`] old; jemalloc's
//! background thread then returns the emptied slabs to the system.

use std::cell::Cell;
use std::time::{Duration, Instant};

use tikv_jemalloc_ctl::thread::{ThreadLocal, deallocatedp};
use tikv_jemalloc_ctl::{Access, AsName};

/// Bytes a thread frees before its cache is worth flushing.
const FLUSH_AFTER_FREED: u64 = 64 * 1024;

/// Least time between two flushes of one thread. Under pipelined load a worker parks
/// thousands of times a second, and each flush leaves it a cold cache: flushing after every
/// 64 KiB freed cost 0.4–0.6 µs per request on IPC, with this gap nothing measurable.
const MIN_FLUSH_INTERVAL: Duration = Duration::from_millis(20);

/// The jemalloc control that turns a thread's cache off (flushing it) and on again.
const TCACHE_ENABLED: &[u8] = b"thread.tcache.enabled\0";

/// What one thread knows about its own flushing.
#[derive(Clone, Copy)]
enum State {
    /// Not parked yet.
    Unknown,
    /// The allocator cannot report or flush: never try again on this thread.
    Unavailable,
    /// `freed` counts the bytes this thread has freed; it read `freed_at_flush` when it last
    /// flushed, at `flushed`.
    Tracking {
        freed: ThreadLocal<u64>,
        freed_at_flush: u64,
        flushed: Instant,
    },
}

thread_local! {
    static STATE: Cell<State> = const { Cell::new(State::Unknown) };
}

/// Called by the runtime each time a worker thread parks: flushes the thread's allocation
/// cache when it has freed enough since the last flush, and that was long enough ago.
pub(crate) fn on_park() {
    let (freed, freed_at_flush, flushed) = match STATE.get() {
        State::Unavailable => return,
        State::Tracking {
            freed,
            freed_at_flush,
            flushed,
        } => (freed, freed_at_flush, flushed),
        // The first park counts as a flush: the thread has only just started.
        State::Unknown => {
            STATE.set(match deallocatedp::read() {
                Ok(freed) => State::Tracking {
                    freed,
                    freed_at_flush: freed.get(),
                    flushed: Instant::now(),
                },
                Err(_) => State::Unavailable,
            });
            return;
        }
    };
    if freed.get().wrapping_sub(freed_at_flush) < FLUSH_AFTER_FREED
        || flushed.elapsed() < MIN_FLUSH_INTERVAL
    {
        return;
    }
    STATE.set(match flush() {
        Ok(()) => State::Tracking {
            freed,
            freed_at_flush: freed.get(),
            flushed: Instant::now(),
        },
        Err(_) => State::Unavailable,
    });
}

/// Empties this thread's cache into the arena, leaving caching on.
fn flush() -> tikv_jemalloc_ctl::Result<()> {
    let control = TCACHE_ENABLED.name();
    control.write(false)?;
    control.write(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked() -> (u64, Instant) {
        match STATE.get() {
            State::Tracking {
                freed_at_flush,
                flushed,
                ..
            } => (freed_at_flush, flushed),
            State::Unknown => panic!("never parked"),
            State::Unavailable => panic!("the allocator could not report or flush"),
        }
    }

    fn free_bytes(total: usize) {
        // Small objects, as sessions free them: they land in the thread's cache.
        for _ in 0..total / 512 {
            drop(std::hint::black_box(vec![0u8; 512]));
        }
    }

    #[test]
    fn flushes_after_enough_is_freed_and_not_more_often_than_the_interval() {
        // Runs on its own thread, so its state starts fresh.
        std::thread::spawn(|| {
            on_park();
            let (start, started) = tracked();

            // Freed a little: nothing to flush.
            free_bytes(4 * 1024);
            on_park();
            assert_eq!(tracked(), (start, started));

            // Freed plenty, but too soon after the last flush.
            free_bytes(256 * 1024);
            if started.elapsed() < MIN_FLUSH_INTERVAL {
                on_park();
                assert_eq!(tracked(), (start, started));
            }

            // Once the interval has passed, the next park flushes, and caching stays on.
            std::thread::sleep(MIN_FLUSH_INTERVAL.saturating_sub(started.elapsed()));
            on_park();
            let (at_flush, flushed) = tracked();
            assert!(at_flush >= start + 256 * 1024, "{at_flush} vs {start}");
            assert!(flushed > started);
            let enabled: bool = TCACHE_ENABLED.name().read().expect("tcache.enabled");
            assert!(enabled, "the cache is on again after a flush");
        })
        .join()
        .expect("test thread");
    }
}

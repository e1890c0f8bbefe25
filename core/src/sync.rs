//! A mutex that cannot poison.
//!
//! Every lock in plugwire guards state that stays consistent between statements (maps, flags,
//! slots), so a panic elsewhere while one is held is no reason to stop serving: locking simply
//! goes on with the data as it is. This wrapper says so once instead of at every call.

use std::fmt;

/// A `std::sync::Mutex` whose [`Mutex::lock`] never fails.
#[derive(Default)]
pub struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

/// The guard [`Mutex::lock`] returns.
pub type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// A mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Self(std::sync::Mutex::new(value))
    }

    /// The value, taking the mutex apart.
    pub fn into_inner(self) -> T {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks, waiting if another thread holds the lock; a poisoned lock is taken as it is.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never locks: printing must not wait on (or deadlock with) a holder.
        self.0.fmt(f)
    }
}

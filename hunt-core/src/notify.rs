//! Waking tasks that wait for shared state to move, without a runtime.
//!
//! A [`Notifier`] is the one listen-then-look loop that every in-process waiter of hunt
//! uses: [`Store::wait_past`](crate::store::Store::wait_past) on the memory and sled stores,
//! and [`Engine::changed`](crate::engine::Engine::changed). Listening comes before looking,
//! so a change made between the look and the wait still wakes the waiter: no wake-up is
//! lost, and a spurious one only costs another look.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! use hunt_core::notify::Notifier;
//!
//! let end = AtomicU64::new(0);
//! let moved = Notifier::default();
//! // A writer moves `end` and then notifies; a waiter returns once `end` is past 0.
//! end.store(3, Ordering::Release);
//! moved.notify_all();
//! let seen = block_on(moved.wait_until(|| {
//!     let now = end.load(Ordering::Acquire);
//!     (now > 0).then_some(now)
//! }));
//! assert_eq!(seen, 3);
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use event_listener::Event;

/// Wakes every task waiting in [`Notifier::wait_until`] when something it looks at may have
/// changed.
#[derive(Debug, Default)]
pub struct Notifier {
    event: Event,
}

impl Notifier {
    /// A notifier with no waiters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes every current waiter, which then looks again. Call it after the change is
    /// visible to `look` (after the store or the swap it looks at).
    pub fn notify_all(&self) {
        self.event.notify(usize::MAX);
    }

    /// Returns what `look` returns once it returns `Some`: at once if it does now, else
    /// after a [`Notifier::notify_all`] that makes it so. Dropping the future cancels the
    /// wait.
    pub async fn wait_until<T>(&self, mut look: impl FnMut() -> Option<T>) -> T {
        loop {
            // Listening before looking: a notification between the look and the await
            // still wakes this waiter.
            let listener = self.event.listen();
            if let Some(found) = look() {
                return found;
            }
            listener.await;
        }
    }
}

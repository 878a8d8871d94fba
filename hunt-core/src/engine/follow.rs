//! Following the log: an engine that learns of events other engines or processes append.

use std::future::Future;
use std::time::Duration;

use crate::store::Wait;

use super::{Engine, EngineError};

/// The first wait after a transient failure while following; doubled on each failure in a
/// row, up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(50);

/// The longest wait between two attempts after transient failures.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

impl Engine {
    /// Follows the log for as long as the future runs: whenever the store says the log moved
    /// past the published state ([`Store::wait_past`](crate::store::Store::wait_past)), reads
    /// and applies the new events ([`Engine::catch_up`]), so that [`Engine::snapshot`] and
    /// [`Engine::changed`] show what every writer appended, not only this engine's commands.
    ///
    /// **Runtime-agnostic**: the embedding service spawns it on its runtime and passes its
    /// sleep function (`tokio::time::sleep`, `async_io::Timer::after`, …), used to poll
    /// every `poll` on stores that cannot push ([`Wait::Unsupported`]) and to back off after
    /// a transient failure (a store that is unreachable for a while: from 50 ms, doubling,
    /// up to 5 s). A lost or late notification delays an update, never loses one: each wake
    /// re-reads from the published position.
    ///
    /// Returns only when following cannot go on: the error of a permanent failure (a
    /// damaged store, a log that does not fit the definition). Dropping the future stops
    /// following and cancels nothing else (a catch-up cut short is read again next time).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// use hunt_core::engine::Engine;
    /// use hunt_core::store::{MemoryStore, Store};
    /// use hunt_core::{IdempotencyKey, Timestamp};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let source = r#"
    ///     id = "tiny"
    ///     title = "A tiny hunt"
    ///     start = 2026-11-28T09:00:00Z
    ///     end = 2026-11-28T21:00:00Z
    ///
    ///     [[challenge]]
    ///     id = "first"
    ///     title = "First"
    ///     points = 100
    ///     answers = ["treasure"]
    /// "#;
    /// let store = MemoryStore::new();
    /// let writer = Engine::create(Arc::new(store.clone()), source, None).await.unwrap();
    /// // A second engine on the same log, as another process would run it.
    /// let reader = Arc::new(Engine::open(Arc::new(store), writer.hunt_id(), None).await.unwrap());
    /// let following = tokio::spawn({
    ///     let reader = reader.clone();
    ///     async move { reader.follow(Duration::from_millis(200), tokio::time::sleep).await }
    /// });
    ///
    /// let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
    /// writer.register("Sea Otters", None, now).await.unwrap();
    /// let seen = reader.changed(0).await;
    /// assert_eq!(seen.team_count(), 1);
    /// following.abort();
    /// # });
    /// ```
    pub async fn follow<S, F>(&self, poll: Duration, mut sleep: S) -> EngineError
    where
        S: FnMut(Duration) -> F,
        F: Future<Output = ()>,
    {
        let mut backoff = MIN_BACKOFF;
        loop {
            let position = self.published.load().seq();
            let moved = match self.store.wait_past(&self.hunt, position).await {
                Ok(Wait::Moved(end)) => Ok(end > self.published.load().seq()),
                Ok(Wait::Unsupported) => {
                    sleep(poll).await;
                    Ok(true)
                }
                Err(error) => Err(EngineError::from(error)),
            };
            let caught_up = match moved {
                // This engine's own append moved the log: it is published already.
                Ok(false) => Ok(()),
                Ok(true) => self.catch_up().await.map(drop),
                Err(error) => Err(error),
            };
            match caught_up {
                Ok(()) => backoff = MIN_BACKOFF,
                Err(error) if error.is_transient() => {
                    sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(error) => return error,
            }
        }
    }
}

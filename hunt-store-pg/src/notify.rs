//! Notifications: one `LISTEN`ing connection per store, fanned out to every waiter of
//! [`Store::wait_past`](hunt_core::store::Store::wait_past).
//!
//! Each append issues `pg_notify(channel, '<hunt>:<end>')` in its own statement, so
//! PostgreSQL delivers it when (and only if) the append commits. A background task receives
//! the notifications and records each hunt's highest end in a [`Hub`], waking every waiter,
//! which checks its own hunt. A notification is a hint: while the listening connection is
//! down (the server restarted, the backend was terminated) notifications are lost, so after
//! it has listened again the task bumps the hub's generation and wakes everyone, and a waiter
//! that sees a new generation re-reads the end from the database. A lost notification thus
//! delays a waiter until the listener is back, and never loses an append.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use event_listener::Event as Wake;
use hunt_core::store::StoreError;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::task::JoinHandle;

/// The longest pause between two attempts to listen again.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// What the listener knows, shared with the waiters.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    /// The highest end each hunt was seen to reach, by notification or by this handle's own
    /// appends.
    ends: Mutex<HashMap<String, u64>>,
    /// Woken on every notification and after every reconnect.
    wake: Wake,
    /// Bumped after the listener listens again: notifications may have been lost before.
    generation: AtomicU64,
}

impl Hub {
    /// Records that the log of `hunt` reaches `end`, and wakes the waiters.
    pub(crate) fn moved(&self, hunt: &str, end: u64) {
        {
            let mut ends = self.ends.lock().unwrap_or_else(PoisonError::into_inner);
            let known = ends.entry(hunt.to_owned()).or_insert(0);
            *known = (*known).max(end);
        }
        self.wake.notify(usize::MAX);
    }

    /// Handles a notification's payload, `<hunt>:<end>`; other payloads are ignored (a
    /// hint that does not parse is no hint).
    fn payload(&self, payload: &str) {
        if let Some((hunt, end)) = payload.rsplit_once(':')
            && let Ok(end) = end.parse()
        {
            self.moved(hunt, end);
        }
    }

    /// Notes that notifications may have been lost, and wakes everyone to re-read.
    fn relistened(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.wake.notify(usize::MAX);
    }

    fn known(&self, hunt: &str) -> u64 {
        let ends = self.ends.lock().unwrap_or_else(PoisonError::into_inner);
        ends.get(hunt).copied().unwrap_or(0)
    }

    /// Waits until the log of `hunt` ends past `position`, reading its end with `read_end`
    /// at first and after every reconnect of the listener, and returns that end.
    pub(crate) async fn wait_past<F, Fut>(
        &self,
        hunt: &str,
        position: u64,
        read_end: F,
    ) -> Result<u64, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<u64, StoreError>>,
    {
        let mut read_at = None;
        loop {
            // Listening before looking: a notification that arrives while we look still
            // wakes the listener registered here.
            let listener = self.wake.listen();
            let known = self.known(hunt);
            if known > position {
                return Ok(known);
            }
            let generation = self.generation.load(Ordering::Acquire);
            if read_at != Some(generation) {
                let end = read_end().await?;
                if end > position {
                    self.moved(hunt, end);
                    return Ok(end);
                }
                read_at = Some(generation);
            }
            listener.await;
        }
    }
}

/// The background task that listens; aborted when the store is dropped.
#[derive(Debug)]
pub(crate) struct Listening(JoinHandle<()>);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts listening on `channel` with a connection of its own (`options`, whose
/// `application_name` tells it apart), and returns once `LISTEN` is in force, so every
/// append committed after this returns is notified.
pub(crate) async fn listen(
    options: PgConnectOptions,
    channel: String,
    hub: Arc<Hub>,
) -> Result<Listening, sqlx::Error> {
    // A pool of one, used by PgListener to reconnect; no lifetime limits on a connection
    // that must stay put.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options);
    let listener = start(&pool, &channel).await?;
    Ok(Listening(tokio::spawn(run(pool, listener, channel, hub))))
}

async fn start(pool: &sqlx::PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

async fn run(pool: sqlx::PgPool, mut listener: PgListener, channel: String, hub: Arc<Hub>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => hub.payload(notification.payload()),
            // PgListener reconnected and listened again before returning this.
            Ok(None) => hub.relistened(),
            Err(_) => {
                drop(listener);
                let mut backoff = Duration::from_millis(10);
                listener = loop {
                    tokio::time::sleep(backoff).await;
                    match start(&pool, &channel).await {
                        Ok(listener) => break listener,
                        Err(_) => backoff = (backoff * 2).min(MAX_BACKOFF),
                    }
                };
                hub.relistened();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_raise_the_known_end_only() {
        let hub = Hub::default();
        hub.payload("finals:7");
        hub.payload("finals:5");
        hub.payload("garbage");
        hub.payload("other:x");
        assert_eq!(hub.known("finals"), 7);
        assert_eq!(hub.known("other"), 0);
    }
}

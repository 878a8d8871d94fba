//! The reference in-memory store, with fault injection for tests of error paths.
//!
//! It keeps every hunt's log and definition behind one `std::sync::Mutex`, which no method
//! holds across an `.await` (none of them awaits). It is not durable: its data lives as long
//! as the last clone of the store.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{Checkpoint, Store, StoreError};
use crate::event::{Event, Recorded};
use crate::ids::HuntId;

/// An in-memory [`Store`]: the reference implementation of the storage contract.
///
/// Clones share the same data, so a test can keep a clone and "reopen" the store by using it
/// after dropping the original.
///
/// Fault injection (as in openraft's memstore) lets tests reach the error paths of the code
/// that drives a store:
/// - [`fail_next_appends`](Self::fail_next_appends): appends fail before writing anything;
/// - [`fail_after_next_append`](Self::fail_after_next_append): an append is carried out and
///   then reported as failed ("commit outcome unknown");
/// - [`fail_next_reads`](Self::fail_next_reads): reads of the log fail;
/// - [`fail_next_checkpoints`](Self::fail_next_checkpoints): checkpoint saves and loads fail.
///
/// Injected failures are [`StoreError::Injected`].
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

/// The shared state of a [`MemoryStore`] and its clones.
#[derive(Default)]
struct Inner {
    /// Each hunt's log; position `n` is at index `n - 1`.
    logs: HashMap<HuntId, Vec<Event>>,
    /// Each hunt's definition source, in id order.
    definitions: BTreeMap<HuntId, String>,
    /// Each hunt's last saved checkpoint.
    checkpoints: HashMap<HuntId, Checkpoint>,
    /// How many of the next appends fail without writing.
    fail_appends: usize,
    /// Whether the next append is carried out and then reported as failed.
    fail_after_append: bool,
    /// How many of the next reads fail.
    fail_reads: usize,
    /// How many of the next checkpoint saves and loads fail.
    fail_checkpoints: usize,
}

impl MemoryStore {
    /// An empty store, without injected faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` calls to [`Store::append`] return [`StoreError::Injected`] without
    /// writing anything, whatever their expectation. Replaces any earlier count; 0 disarms.
    ///
    /// These failures come before a pending
    /// [`fail_after_next_append`](Self::fail_after_next_append).
    pub fn fail_next_appends(&self, n: usize) {
        self.lock().fail_appends = n;
    }

    /// Makes the next call to [`Store::append`] run as usual (writing its events if the
    /// expectation holds) and then return [`StoreError::Injected`] instead of its result:
    /// the caller cannot tell whether its events were written, as when a connection drops
    /// after a commit.
    pub fn fail_after_next_append(&self) {
        self.lock().fail_after_append = true;
    }

    /// Makes the next `n` calls to [`Store::read`] return [`StoreError::Injected`]. Replaces
    /// any earlier count; 0 disarms. Definition loads and [`Store::hunts`] are not affected.
    pub fn fail_next_reads(&self, n: usize) {
        self.lock().fail_reads = n;
    }

    /// Makes the next `n` calls to [`Store::save_checkpoint`] or [`Store::load_checkpoint`]
    /// return [`StoreError::Injected`] (a failed save keeps the previous checkpoint). Replaces
    /// any earlier count; 0 disarms.
    pub fn fail_next_checkpoints(&self, n: usize) {
        self.lock().fail_checkpoints = n;
    }

    /// Locks the shared state.
    ///
    /// A panic while the lock is held cannot leave the state half-updated (every method
    /// checks before it mutates, and each mutation is a single step), so a poisoned lock is
    /// taken over rather than propagated.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    /// Shows the size of each log rather than its events, which may be many.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        let logs: BTreeMap<&str, usize> = inner
            .logs
            .iter()
            .map(|(hunt, log)| (hunt.as_str(), log.len()))
            .collect();
        let definitions: Vec<&str> = inner.definitions.keys().map(HuntId::as_str).collect();
        f.debug_struct("MemoryStore")
            .field("log_lengths", &logs)
            .field("definitions", &definitions)
            .field("fail_appends", &inner.fail_appends)
            .field("fail_after_append", &inner.fail_after_append)
            .field("fail_reads", &inner.fail_reads)
            .field(
                "checkpoints",
                &inner
                    .checkpoints
                    .iter()
                    .map(|(hunt, c)| (hunt.as_str(), c.seq))
                    .collect::<BTreeMap<_, _>>(),
            )
            .field("fail_checkpoints", &inner.fail_checkpoints)
            .finish()
    }
}

impl Inner {
    /// Takes one injected checkpoint failure, if any is armed.
    fn checkpoint_fault(&mut self) -> Result<(), StoreError> {
        if self.fail_checkpoints > 0 {
            self.fail_checkpoints -= 1;
            return Err(StoreError::Injected);
        }
        Ok(())
    }

    /// The contract of [`Store::append`], without fault injection.
    fn append(
        &mut self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let actual = self.logs.get(hunt).map_or(0, |log| log.len() as u64);
        if actual != expected {
            return Err(StoreError::Conflict { expected, actual });
        }
        if events.is_empty() {
            return Ok(actual);
        }
        let log = self.logs.entry(hunt.clone()).or_default();
        log.extend_from_slice(events);
        Ok(log.len() as u64)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let mut inner = self.lock();
        if inner.fail_appends > 0 {
            inner.fail_appends -= 1;
            return Err(StoreError::Injected);
        }
        let result = inner.append(hunt, expected, events);
        if inner.fail_after_append {
            inner.fail_after_append = false;
            return Err(StoreError::Injected);
        }
        result
    }

    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut inner = self.lock();
        if inner.fail_reads > 0 {
            inner.fail_reads -= 1;
            return Err(StoreError::Injected);
        }
        let Some(log) = inner.logs.get(hunt) else {
            return Ok(Vec::new());
        };
        let start = usize::try_from(after).unwrap_or(usize::MAX).min(log.len());
        Ok(log[start..]
            .iter()
            .take(limit)
            .zip(start as u64 + 1..)
            .map(|(event, seq)| Recorded {
                seq,
                event: event.clone(),
            })
            .collect())
    }

    async fn save_definition(&self, hunt: &HuntId, source: &str) -> Result<(), StoreError> {
        self.lock()
            .definitions
            .insert(hunt.clone(), source.to_owned());
        Ok(())
    }

    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        Ok(self.lock().definitions.get(hunt).cloned())
    }

    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        Ok(self.lock().definitions.keys().cloned().collect())
    }

    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.checkpoint_fault()?;
        inner.checkpoints.insert(hunt.clone(), checkpoint.clone());
        Ok(())
    }

    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        let mut inner = self.lock();
        inner.checkpoint_fault()?;
        Ok(inner.checkpoints.get(hunt).cloned())
    }
}

//! The reference in-memory store, with fault injection for tests of error paths.
//!
//! It keeps every hunt's log and definition behind one `std::sync::Mutex`, which no method
//! holds across an `.await`. It is not durable: its data lives as long as the last clone of
//! the store. Appends wake [`Store::wait_past`] waiters on every clone, in process.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{Checkpoint, Digest, Store, StoreError, Wait, definition_digest};
use crate::event::{Event, Recorded};
use crate::ids::HuntId;
use crate::notify::Notifier;

/// An in-memory [`Store`]: the reference implementation of the storage contract.
///
/// Clones share the same data (and wake each other's waiters), so a test can keep a clone
/// and "reopen" the store by using it after dropping the original, or give two engines two
/// handles on one log.
///
/// Fault injection (as in openraft's memstore) lets tests reach the error paths of the code
/// that drives a store:
/// - [`fail_next_appends`](Self::fail_next_appends): appends fail before writing anything
///   ([`StoreError::Injected`]);
/// - [`fail_after_next_append`](Self::fail_after_next_append): an append is carried out and
///   then reported as [`StoreError::OutcomeUnknown`] (it landed);
/// - [`lose_next_append`](Self::lose_next_append): an append writes nothing and is reported
///   as [`StoreError::OutcomeUnknown`] (it did not land);
/// - [`hold_next_append`](Self::hold_next_append): an append stops inside the store until
///   the test lets it land (or not), even after its caller's future was dropped;
/// - [`fail_next_reads`](Self::fail_next_reads): reads of the log fail;
/// - [`fail_next_checkpoints`](Self::fail_next_checkpoints): checkpoint saves and loads fail.
#[derive(Clone, Default)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

/// What every clone of a [`MemoryStore`] shares.
#[derive(Default)]
struct Shared {
    data: Mutex<Inner>,
    /// Notified after every append that wrote something, for [`Store::wait_past`].
    appended: Notifier,
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
    /// What happens to the next append after the failures above, if anything is armed.
    next_append: Option<Fault>,
    /// How many of the next reads fail.
    fail_reads: usize,
    /// How many of the next checkpoint saves and loads fail.
    fail_checkpoints: usize,
}

/// A fault armed for the next append.
enum Fault {
    /// Written, then reported as of unknown outcome.
    LandedUnknown,
    /// Not written, reported as of unknown outcome.
    LostUnknown,
    /// Held inside the store until the test decides.
    Hold(Arc<Gate>),
}

/// Where a held append waits, and what the test decided for it.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    /// Notified when an append is held and when it is released.
    changed: Notifier,
}

#[derive(Default)]
enum GateState {
    /// Armed; no append has reached the store yet.
    #[default]
    Armed,
    /// An append is held here.
    Held {
        hunt: HuntId,
        expected: u64,
        events: Vec<Event>,
    },
    /// The test decided; the held append's caller, if still waiting, takes the result.
    Decided(Option<Result<u64, StoreError>>),
}

/// An append held inside a [`MemoryStore`] by [`MemoryStore::hold_next_append`]: the store
/// has the events, and its caller waits, until [`land`](Self::land) writes them (as a commit
/// the client has not yet heard back from) or [`lose`](Self::lose) drops them. Either
/// happens whether or not the caller's future is still alive, so a test can cancel the
/// caller mid-write and then let the write land.
///
/// Dropping it loses the held append (or disarms the hold, if no append came).
pub struct HeldAppend {
    store: MemoryStore,
    gate: Arc<Gate>,
    decided: bool,
}

impl MemoryStore {
    /// An empty store, without injected faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` calls to [`Store::append`] return [`StoreError::Injected`] without
    /// writing anything, whatever their expectation. Replaces any earlier count; 0 disarms.
    ///
    /// These failures come before a fault armed by the methods below.
    pub fn fail_next_appends(&self, n: usize) {
        self.lock().fail_appends = n;
    }

    /// Makes the next call to [`Store::append`] run as usual (writing its events if the
    /// expectation holds) and then return [`StoreError::OutcomeUnknown`] instead of its
    /// result: the caller cannot tell whether its events were written, as when a connection
    /// drops after a commit. Replaces another armed fault.
    pub fn fail_after_next_append(&self) {
        self.lock().next_append = Some(Fault::LandedUnknown);
    }

    /// Makes the next call to [`Store::append`] write nothing and return
    /// [`StoreError::OutcomeUnknown`], as when a connection drops before the commit reached
    /// the server. Replaces another armed fault.
    pub fn lose_next_append(&self) {
        self.lock().next_append = Some(Fault::LostUnknown);
    }

    /// Makes the next call to [`Store::append`] stop inside the store, before writing, until
    /// the returned handle lets it land or loses it (see [`HeldAppend`]). Replaces another
    /// armed fault.
    pub fn hold_next_append(&self) -> HeldAppend {
        let gate = Arc::new(Gate::default());
        self.lock().next_append = Some(Fault::Hold(gate.clone()));
        HeldAppend {
            store: self.clone(),
            gate,
            decided: false,
        }
    }

    /// Makes the next `n` calls to [`Store::read`] return [`StoreError::Injected`]. Replaces
    /// any earlier count; 0 disarms. Definition loads, [`Store::end`], [`Store::wait_past`]
    /// and [`Store::hunts`] are not affected.
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
        self.shared
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends under the lock and wakes waiters if anything was written.
    fn append_now(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let result = self.lock().append(hunt, expected, events);
        if result.is_ok() && !events.is_empty() {
            self.shared.appended.notify_all();
        }
        result
    }
}

impl HeldAppend {
    /// Waits until an append is held by the store.
    pub async fn reached(&self) {
        self.gate
            .changed
            .wait_until(|| matches!(*self.gate.lock(), GateState::Held { .. }).then_some(()))
            .await;
    }

    /// Writes the held append (if its expectation holds) as if it had never been held, and
    /// returns its result to its caller if that still waits. Returns whether the events were
    /// written; `false` also when no append was held yet (the hold is then disarmed).
    pub fn land(mut self) -> bool {
        self.decide(true)
    }

    /// Drops the held append without writing anything; its caller, if it still waits, gets
    /// [`StoreError::OutcomeUnknown`].
    pub fn lose(mut self) {
        self.decide(false);
    }

    fn decide(&mut self, land: bool) -> bool {
        self.decided = true;
        let held = std::mem::replace(&mut *self.gate.lock(), GateState::Decided(None));
        let GateState::Held {
            hunt,
            expected,
            events,
        } = held
        else {
            // No append came: disarm the hold if it is still the armed fault.
            let mut inner = self.store.lock();
            if matches!(&inner.next_append, Some(Fault::Hold(g)) if Arc::ptr_eq(g, &self.gate)) {
                inner.next_append = None;
            }
            return false;
        };
        let result = if land {
            self.store.append_now(&hunt, expected, &events)
        } else {
            Err(StoreError::outcome_unknown(StoreError::Injected))
        };
        let written = land && result.is_ok() && !events.is_empty();
        *self.gate.lock() = GateState::Decided(Some(result));
        self.gate.changed.notify_all();
        written
    }
}

impl Drop for HeldAppend {
    fn drop(&mut self) {
        if !self.decided {
            self.decide(false);
        }
    }
}

impl fmt::Debug for HeldAppend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.gate.lock() {
            GateState::Armed => "armed",
            GateState::Held { .. } => "held",
            GateState::Decided(_) => "decided",
        };
        f.debug_struct("HeldAppend").field("state", &state).finish()
    }
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds an append here and waits for the test's decision.
    async fn hold(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        *self.lock() = GateState::Held {
            hunt: hunt.clone(),
            expected,
            events: events.to_vec(),
        };
        self.changed.notify_all();
        self.changed
            .wait_until(|| match &mut *self.lock() {
                GateState::Decided(result) => Some(
                    result
                        .take()
                        .unwrap_or_else(|| Err(StoreError::outcome_unknown(StoreError::Injected))),
                ),
                _ => None,
            })
            .await
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
        let next_append = match &inner.next_append {
            None => "none",
            Some(Fault::LandedUnknown) => "landed, outcome unknown",
            Some(Fault::LostUnknown) => "lost, outcome unknown",
            Some(Fault::Hold(_)) => "held",
        };
        f.debug_struct("MemoryStore")
            .field("log_lengths", &logs)
            .field("definitions", &definitions)
            .field("fail_appends", &inner.fail_appends)
            .field("next_append", &next_append)
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

    fn end(&self, hunt: &HuntId) -> u64 {
        self.logs.get(hunt).map_or(0, |log| log.len() as u64)
    }

    /// The contract of [`Store::append`], without fault injection.
    fn append(
        &mut self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let actual = self.end(hunt);
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
        let fault = {
            let mut inner = self.lock();
            if inner.fail_appends > 0 {
                inner.fail_appends -= 1;
                return Err(StoreError::Injected);
            }
            inner.next_append.take()
        };
        match fault {
            None => self.append_now(hunt, expected, events),
            Some(Fault::LandedUnknown) => {
                let _ = self.append_now(hunt, expected, events);
                Err(StoreError::outcome_unknown(StoreError::Injected))
            }
            Some(Fault::LostUnknown) => Err(StoreError::outcome_unknown(StoreError::Injected)),
            Some(Fault::Hold(gate)) => gate.hold(hunt, expected, events).await,
        }
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

    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        Ok(self.lock().end(hunt))
    }

    async fn read_positions(
        &self,
        hunt: &HuntId,
        positions: &[u64],
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut inner = self.lock();
        if inner.fail_reads > 0 {
            inner.fail_reads -= 1;
            return Err(StoreError::Injected);
        }
        let log = inner.logs.get(hunt).map_or(&[][..], Vec::as_slice);
        Ok(positions
            .iter()
            .map_while(|&seq| {
                let index = usize::try_from(seq.checked_sub(1)?).ok()?;
                log.get(index).map(|event| Recorded {
                    seq,
                    event: event.clone(),
                })
            })
            .collect())
    }

    async fn wait_past(&self, hunt: &HuntId, position: u64) -> Result<Wait, StoreError> {
        let end = self
            .shared
            .appended
            .wait_until(|| Some(self.lock().end(hunt)).filter(|end| *end > position))
            .await;
        Ok(Wait::Moved(end))
    }

    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.definitions.get(hunt);
        if stored.is_some_and(|s| s == source) {
            return Ok(());
        }
        let found = stored.map(|s| definition_digest(s));
        if found != replaces {
            return Err(StoreError::DefinitionConflict { found });
        }
        inner.definitions.insert(hunt.clone(), source.to_owned());
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
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        inner.checkpoint_fault()?;
        if inner
            .checkpoints
            .get(hunt)
            .is_some_and(|stored| stored.seq > checkpoint.seq)
        {
            return Ok(false);
        }
        inner.checkpoints.insert(hunt.clone(), checkpoint.clone());
        Ok(true)
    }

    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        let mut inner = self.lock();
        inner.checkpoint_fault()?;
        Ok(inner.checkpoints.get(hunt).cloned())
    }
}

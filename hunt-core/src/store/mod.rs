//! Storage traits: the narrow interface every durable store implements.
//!
//! A store keeps, per hunt, an append-only log of [`Event`]s and the hunt's definition (its
//! TOML source), and may keep a [`Checkpoint`] of the derived state to make reopening fast.
//! Everything else (scores, ranks, unlocks) is derived by the core from the log, never by a
//! store.
//!
//! # Several writers
//! The contract is written for several engines, in one process or in several, sharing one
//! store (PostgreSQL is the store for that; sled serves one process, but several engines in
//! it may share one handle). What makes that safe:
//! - appends are **conditional** on the log's end, so two writers never both extend the log
//!   from the same position: the loser gets [`StoreError::Conflict`], catches up and decides
//!   again;
//! - writers that conflict **take turns** ([`Store::take_turn`], in stores that several
//!   processes share): a conflict is safe but not fair, since the writer that just won
//!   knows the end and decides its next batch while the loser is still reading, so the
//!   loser can lose every race. After a conflict the engine appends under a [`Turn`] (read
//!   the end, decide, append, with every other writer's append held back meanwhile), and
//!   turns queue in order, so processes alternate instead of one starving;
//! - a failed append says whether it wrote nothing ([`StoreError::Unavailable`]) or may
//!   have written everything ([`StoreError::OutcomeUnknown`]); never part of a batch. The
//!   engine resolves the second case by reading the log at the position it appended at and
//!   matching the events (and their command ids) it decided;
//! - followers learn that the log moved from [`Store::wait_past`], a hint: a follower re-reads
//!   from its last position after every wake-up, so a lost or spurious notification costs
//!   latency, never correctness;
//! - a checkpoint is **never replaced by one at an earlier position** (so an engine that
//!   lags cannot roll the checkpoint back under one that is ahead);
//! - a definition is **versioned by its digest**: a save names the definition it replaces
//!   ([`definition_digest`] of its source, `None` when there must be none), so two
//!   administrators replacing it at once cannot both win, and a replaced definition is never
//!   lost to a stale writer. Replacement is not refused outright, because editing a hunt
//!   whose events still replay under the new definition is a supported operation
//!   (`hunt init` checks the log replays before saving). Engines already running keep the
//!   definition they opened with (they decide by it until reopened); since events name
//!   challenges by slug and the new definition is checked against the log before it is
//!   saved, what they append still replays. A service that replaces a definition reopens
//!   its engines; [`Store::load_definition`] and [`definition_digest`] tell which one a
//!   running engine is behind.

mod checkpoint;
mod error;
mod memory;
mod turn;

pub use checkpoint::{Checkpoint, Digest};
pub use error::StoreError;
pub use memory::{HeldAppend, MemoryStore};
pub use turn::Turn;

use async_trait::async_trait;
use sha2::{Digest as _, Sha256};

use crate::event::{Event, Recorded};
use crate::ids::HuntId;

/// SHA-256 of a definition's source, byte for byte: the version of a definition, named by
/// [`Store::save_definition`] and by [`Checkpoint::definition_digest`].
pub fn definition_digest(source: &str) -> Digest {
    Sha256::digest(source.as_bytes()).into()
}

/// What [`Store::wait_past`] came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Wait {
    /// The log ends at this position, past the one waited for.
    Moved(u64),
    /// The store cannot push notifications, and the log has not moved past the position:
    /// poll [`Store::end`] at an interval of the caller's choosing (the core has no clock, so
    /// the engine's follower takes the caller's sleep function for this).
    Unsupported,
}

/// A durable home for hunt logs and definitions.
///
/// Object-safe, so services can hold an `Arc<dyn Store>` chosen at run time. Every method
/// may be called concurrently from many tasks and, for stores that several processes share,
/// from many processes.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Appends `events` to the log of `hunt` if and only if the log currently ends at
    /// `expected` (the number of events in it, 0 for an empty log), and returns the new end.
    ///
    /// - **Atomic**: either every event is appended, with positions `expected + 1 ..=
    ///   expected + events.len()`, or none is.
    /// - **Conditional**: if the log does not end at `expected`, nothing is written and the
    ///   result is [`StoreError::Conflict`] with the actual end. So a batch can only ever
    ///   land at `expected + 1`: a writer that does not know whether its append landed reads
    ///   the event at that position to find out.
    /// - **Durable**: when it returns `Ok`, the events survive a crash of the process (and,
    ///   for disk stores, of the machine).
    /// - **Failures say what was written**: [`StoreError::OutcomeUnknown`] when the events
    ///   may have been appended (e.g. the connection dropped after the commit was sent, or
    ///   the append was written but not made durable); any other error means nothing was
    ///   written. An append whose future is dropped mid-way may land or not, as if it had
    ///   failed with `OutcomeUnknown`; if it lands, it lands whole, at `expected + 1`.
    /// - **Notifies**: once it returns `Ok`, every [`Store::wait_past`] of a position before
    ///   the new end, on any handle of the store, returns soon (for stores that push).
    /// - Appending no events checks the expectation and writes nothing.
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError>;

    /// Takes a turn at appending to the log of `hunt`: waits until no other writer holds
    /// one, and returns it (see [`Turn`]; a store may leave the waiting to the turn's first
    /// call, so that taking it costs no round trip of its own). While it is held, appends of other writers to the
    /// hunt do not land, so the end read under the turn is the one its append finds, and
    /// writers of several processes that take turns alternate instead of racing.
    ///
    /// `Ok(None)` (the default) when the store has no turns: the caller appends as usual,
    /// and a conflict tells it to catch up and decide again. Stores that several processes
    /// share implement it; a store used by one process has nobody to be fair to but the
    /// engines in it, which a conflict costs one catch-up each. Turns are for contended
    /// logs: a turn costs round trips a plain append does not, so the engine takes them only
    /// after a conflict (see [`Engine`](crate::engine::Engine)).
    ///
    /// Failing, or dropping the future, leaves no turn held.
    async fn take_turn<'s>(
        &'s self,
        hunt: &HuntId,
    ) -> Result<Option<Box<dyn Turn + 's>>, StoreError> {
        let _ = hunt;
        Ok(None)
    }

    /// Reads up to `limit` events of `hunt` with positions greater than `after`, in position
    /// order, without gaps. An unknown hunt has an empty log.
    ///
    /// Reads see only acknowledged appends (never part of a batch): an event read is there
    /// for good.
    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError>;

    /// The end of the log of `hunt` (the position of its last event, 0 when empty or
    /// unknown), in one round trip, with the same visibility as [`Store::read`].
    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError>;

    /// The events of `hunt` at `positions` (in increasing order, each at least 1), in one
    /// round trip: the event at each position the log holds, in order, and none for the
    /// positions past its end (so the result is a prefix of the positions asked for when
    /// the log ends early). Used to read a [`Checkpoint`]'s sample.
    ///
    /// The default reads each position in turn with [`Store::read`]; stores with a round
    /// trip per call override it.
    async fn read_positions(
        &self,
        hunt: &HuntId,
        positions: &[u64],
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut found = Vec::with_capacity(positions.len());
        for &position in positions {
            match self.read(hunt, position.saturating_sub(1), 1).await?.pop() {
                Some(recorded) if recorded.seq == position => found.push(recorded),
                _ => break,
            }
        }
        Ok(found)
    }

    /// Waits until the log of `hunt` ends past `position`, and returns its end then.
    ///
    /// A hint, not a promise of delivery: it returns at once when the log is already past
    /// `position` (so a waiter that starts after the append it waits for never blocks), and
    /// otherwise soon after an append on any handle of the store moves it there, in stores
    /// that push (in process for [`MemoryStore`] and sled, `LISTEN`/`NOTIFY` for
    /// PostgreSQL). A store that may miss a notification (a listener reconnecting) returns
    /// the end it reads after reconnecting. Dropping the future cancels the wait.
    ///
    /// The default, for stores that cannot push, checks [`Store::end`] once and returns
    /// [`Wait::Unsupported`] when the log has not moved: the caller then polls.
    async fn wait_past(&self, hunt: &HuntId, position: u64) -> Result<Wait, StoreError> {
        let end = self.end(hunt).await?;
        Ok(if end > position {
            Wait::Moved(end)
        } else {
            Wait::Unsupported
        })
    }

    /// Saves `source` as the definition of `hunt`, if the definition stored now is the one
    /// `replaces` names ([`definition_digest`] of its source), or if there is none and
    /// `replaces` is `None`. Durable on return.
    ///
    /// - **Compare-and-set**, atomically: when the stored definition is another one (or
    ///   there is one and `replaces` is `None`, or none and `replaces` is `Some`), nothing is
    ///   written and the result is [`StoreError::DefinitionConflict`] with the digest found.
    /// - **Idempotent**: saving the source that is already stored succeeds whatever
    ///   `replaces` says, so a retry after [`StoreError::OutcomeUnknown`] is safe.
    /// - Never touches the log or the checkpoint. See the [module](self) docs for why
    ///   definitions are versioned rather than frozen once the log has events.
    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError>;

    /// Loads the definition source of `hunt`, if one was saved.
    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError>;

    /// Every hunt with a saved definition, in id order.
    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError>;

    /// Saves `checkpoint` as the checkpoint of `hunt`, replacing the stored one unless that
    /// one is at a later position; returns whether it was saved.
    ///
    /// A checkpoint is an optimisation, never a source of truth: the engine verifies it
    /// against the log and the definition before use and replays the log when it does not
    /// match (see [`Checkpoint`]). So a store:
    /// - keeps at most one checkpoint per hunt, apart from the log and the definition
    ///   (saving one neither lists the hunt in [`Store::hunts`] nor touches its log);
    /// - **never replaces a checkpoint by one at an earlier position**: when the stored one
    ///   is at a later position than `checkpoint.seq`, nothing is written and the result is
    ///   `Ok(false)` (one at the same position replaces it). The comparison and the write
    ///   are one atomic step, across every handle and process; a stored checkpoint that no
    ///   longer decodes is replaced;
    /// - saves it **atomically**: a later load returns this checkpoint or the one before,
    ///   whole, never a mix or a part;
    /// - may lose it (in a crash, or to save space), and then loads `None` or the previous one.
    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError>;

    /// Loads the checkpoint last saved for `hunt`, if the store still has it.
    ///
    /// A store that finds its copy damaged returns an error (the engine then ignores the
    /// checkpoint and replays the log), never a damaged checkpoint.
    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError>;
}

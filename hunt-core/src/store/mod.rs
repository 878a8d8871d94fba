//! Storage traits: the narrow interface every durable store implements.
//!
//! A store keeps, per hunt, an append-only log of [`Event`]s and the hunt's definition (its
//! TOML source), and may keep a [`Checkpoint`] of the derived state to make reopening fast.
//! Everything else (scores, ranks, unlocks) is derived by the core from the log, never by a
//! store.

mod checkpoint;
mod error;
mod memory;

pub use checkpoint::{Checkpoint, CheckpointIgnored, Digest};
pub use error::StoreError;
pub use memory::MemoryStore;

use async_trait::async_trait;

use crate::event::{Event, Recorded};
use crate::ids::HuntId;

/// A durable home for hunt logs and definitions.
///
/// Object-safe, so services can hold an `Arc<dyn Store>` chosen at run time.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Appends `events` to the log of `hunt` if and only if the log currently ends at
    /// `expected` (the number of events in it, 0 for an empty log), and returns the new end.
    ///
    /// - **Atomic**: either every event is appended, with positions `expected + 1 ..=
    ///   expected + events.len()`, or none is.
    /// - **Conditional**: if the log does not end at `expected`, nothing is written and the
    ///   result is [`StoreError::Conflict`] with the actual end.
    /// - **Durable**: when it returns `Ok`, the events survive a crash of the process (and,
    ///   for disk stores, of the machine).
    /// - Appending no events checks the expectation and writes nothing.
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError>;

    /// Reads up to `limit` events of `hunt` with positions greater than `after`, in position
    /// order, without gaps. An unknown hunt has an empty log.
    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError>;

    /// Saves (or replaces) the definition source of `hunt`. Durable on return.
    async fn save_definition(&self, hunt: &HuntId, source: &str) -> Result<(), StoreError>;

    /// Loads the definition source of `hunt`, if one was saved.
    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError>;

    /// Every hunt with a saved definition, in id order.
    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError>;

    /// Saves `checkpoint` as the checkpoint of `hunt`, replacing any earlier one.
    ///
    /// A checkpoint is an optimisation, never a source of truth: the engine verifies it
    /// against the log and the definition before use and replays the log when it does not
    /// match (see [`Checkpoint`]). So a store:
    /// - keeps at most one checkpoint per hunt, apart from the log and the definition
    ///   (saving one neither lists the hunt in [`Store::hunts`] nor touches its log);
    /// - saves it **atomically**: a later load returns this checkpoint or the one before,
    ///   whole, never a mix or a part;
    /// - may lose it (in a crash, or to save space), and then loads `None` or the previous one.
    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<(), StoreError>;

    /// Loads the checkpoint last saved for `hunt`, if the store still has it.
    ///
    /// A store that finds its copy damaged returns an error (the engine then ignores the
    /// checkpoint and replays the log), never a damaged checkpoint.
    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError>;
}

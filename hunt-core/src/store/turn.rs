//! Turns: how writers in several processes take turns at one hunt's log instead of racing.
//!
//! Conditional appends alone are safe but not fair. A writer that has just appended knows
//! the log's end and decides its next batch at once; a writer that lost the race must first
//! read what the winner wrote, and by the time it has decided again the winner has appended
//! once more. Under a steady load the loser can lose every race (measured on PostgreSQL with
//! 2 processes × 64 submitters: one process got 13–90 acknowledgements a second, the other
//! all the rest, and the loser's callers got [`EngineError::Contention`]). A turn makes the
//! writers queue instead: while one is held, no other writer's append to the hunt lands, so
//! what is read under the turn is the end its append will find.
//!
//! [`EngineError::Contention`]: crate::engine::EngineError::Contention

use async_trait::async_trait;

use crate::event::{Event, Recorded};
use crate::store::StoreError;

/// A writer's turn at one hunt's log, from [`Store::take_turn`](crate::store::Store::take_turn).
///
/// Until the turn ends (with [`Turn::append`], or when it is dropped), appends of other
/// writers to the hunt, on any handle and in any process, wait, and fail with
/// [`StoreError::Conflict`] once it ends if it moved the log; other turns of the hunt wait to
/// begin, in the order they asked. Reads by others do not wait.
///
/// A store may begin a turn only with its first call (its first read, or its append), so
/// that taking one costs no round trip of its own: it is held from then on, and that first
/// read sees every append that landed before it. A turn that is dropped, or whose append
/// fails or conflicts, ends too, writing nothing.
///
/// A store may grant a turn that holds back only other turns, not plain appends, when the
/// hunt's log is empty (PostgreSQL has no row to lock yet): the turn's append may then
/// conflict as a plain one would, which callers handle in any case.
#[async_trait]
pub trait Turn: Send {
    /// Reads as [`Store::read`](crate::store::Store::read) does, seeing every append that
    /// landed before the turn began (with this read, for stores that begin turns lazily).
    async fn read(&mut self, after: u64, limit: usize) -> Result<Vec<Recorded>, StoreError>;

    /// Appends as [`Store::append`](crate::store::Store::append) does (conditional, atomic,
    /// durable, and its failures say what was written), and ends the turn.
    async fn append(self: Box<Self>, expected: u64, events: &[Event]) -> Result<u64, StoreError>;
}

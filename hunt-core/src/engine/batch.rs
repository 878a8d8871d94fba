//! The engine's bulk entry: many commands of one caller, decided in order, written in
//! store writes of a bounded size.
//!
//! A batch goes through the same queue as single commands, so every rule of the engine
//! holds for it unchanged (group commit with other callers, conflicts and turns, keys,
//! settling unknown outcomes, the read before refusing an unknown team): it is only a way
//! to put many commands into the queue at once and to hear back about all of them.

use std::sync::{Arc, Mutex};

use super::{Engine, EngineError, Pending, answer_all, lock};
use crate::command::Command;
use crate::ids::IdempotencyKey;
use crate::state::Outcome;
use crate::store::StoreError;
use crate::time::Timestamp;

/// The most commands the engine decides for one store write (and so the most events it
/// appends in one [`Store::append`](crate::store::Store::append), give or take the few
/// events a command records: one for every command today).
///
/// Bounded because one write is one unit of everything downstream: sled's `apply_batch`
/// holds the database-wide write lock of sled's concurrency control for the whole batch
/// (every reader and writer of every hunt in the directory waits), PostgreSQL sends the
/// batch as one `bytea[]` parameter (at most 1 GB, and a turn spells it as a hex literal,
/// twice its size, in a query of at most 1 GB) and holds the log's end row locked until it
/// commits, and the engine keeps the events of the write in flight in memory until it is
/// settled. A thousand events (at most a few hundred KiB encoded, as names and answers are
/// bounded) keep each of these short while still making one flush cover many commands.
pub const MAX_WRITE_COMMANDS: usize = 1_000;

/// One command of a batch for [`Engine::execute_batch`]: the command, the time it is
/// decided at, and its id if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Batched {
    /// The command.
    pub command: Command,
    /// The caller's id for the command (see [`Engine::execute_with_key`]); `None` as for
    /// [`Engine::execute`]. A submission uses its own idempotency key either way.
    pub key: Option<IdempotencyKey>,
    /// When the command is decided (log time never goes backwards, as for single commands).
    pub now: Timestamp,
}

impl Batched {
    /// `command` at `now`, without an id.
    pub fn new(command: Command, now: Timestamp) -> Self {
        Self {
            command,
            key: None,
            now,
        }
    }

    /// `command` at `now`, with `key` as its id.
    pub fn with_key(command: Command, key: IdempotencyKey, now: Timestamp) -> Self {
        Self {
            command,
            key: Some(key),
            now,
        }
    }
}

/// Where the outcomes of one caller's commands go, in the order of its commands.
#[derive(Debug)]
pub(super) struct Answers {
    results: Vec<Option<Result<Outcome, EngineError>>>,
    /// Results still to come.
    missing: usize,
}

/// A caller's answers, shared with the leader that decides its commands.
pub(super) type Slot = Arc<Mutex<Answers>>;

impl Answers {
    fn slot(len: usize) -> Slot {
        Arc::new(Mutex::new(Self {
            results: (0..len).map(|_| None).collect(),
            missing: len,
        }))
    }

    /// Gives command `index` its result, unless it has one already.
    pub(super) fn put(&mut self, index: usize, result: Result<Outcome, EngineError>) {
        let place = &mut self.results[index];
        if place.is_none() {
            *place = Some(result);
            self.missing -= 1;
        }
    }
}

impl Engine {
    /// Decides many commands in order and durably records them, in store writes of at most
    /// [`MAX_WRITE_COMMANDS`] commands each; returns one result per command, in order.
    ///
    /// The results are those the commands would get executed one by one, in order, by
    /// [`execute_with_key`](Self::execute_with_key) (or [`execute`](Self::execute) for
    /// those without a key) with nothing else in between; each command is decided against
    /// the state the ones before it left. In particular:
    /// - registrations get dense team ids in the batch's order, and a later command of the
    ///   batch may name a team an earlier one registers;
    /// - a command refused (a taken name, an unknown challenge) gets its
    ///   [`EngineError::Command`] and writes nothing, and the commands after it go on;
    /// - a key used again, in the batch or before it, gets the first outcome of its command
    ///   (a submission [`Verdict::Duplicate`](crate::Verdict::Duplicate)) and applies
    ///   nothing, so retrying a whole batch with the same keys after an error is safe.
    ///
    /// Other callers' commands may be decided between two writes of the batch (and share a
    /// write with it), so a batch is not isolated from them, only ordered.
    ///
    /// When a write fails (the store fails, or other writers keep moving the log: see
    /// [`EngineError::is_transient`]), its commands and every later command of the batch
    /// get that error and none of the later ones is decided, so what is applied is always
    /// a prefix of the batch (among its commands that were not refused). Whether the failed
    /// write's own commands were applied may be unknown, as for single commands: retry them
    /// with the same keys. Dropping the future never loses or doubles a command, but may
    /// leave any of them to be applied, in order, by the engine's next write.
    ///
    /// ```no_run
    /// # async fn run(engine: &hunt_core::Engine) -> Result<(), hunt_core::EngineError> {
    /// use hunt_core::engine::Batched;
    /// use hunt_core::{Command, IdempotencyKey, Outcome, Timestamp};
    ///
    /// let now = Timestamp::from_millis(1_800_000_000_000);
    /// let teams = ["Sea Otters", "Null Pointers", "Rust Belt"];
    /// let batch = teams.iter().enumerate().map(|(i, name)| {
    ///     let register = Command::Register {
    ///         name: (*name).to_owned(),
    ///         division: None,
    ///     };
    ///     Batched::with_key(register, IdempotencyKey(i as u128 + 1), now)
    /// });
    /// for (name, result) in teams.iter().zip(engine.execute_batch(batch).await) {
    ///     match result {
    ///         Ok(Outcome::Registered(team)) => println!("{name}: team {}", team.0),
    ///         Ok(other) => unreachable!("registering gave {other:?}"),
    ///         Err(refused) => println!("{name}: {refused}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute_batch(
        &self,
        commands: impl IntoIterator<Item = Batched>,
    ) -> Vec<Result<Outcome, EngineError>> {
        let commands: Vec<Batched> = commands.into_iter().collect();
        self.run_all(commands.into_iter().map(|b| (b.command, b.key, b.now)))
            .await
    }

    /// Queues `commands` (one caller's, in order, together), then leads writes until each
    /// has its result; the results, in order.
    pub(super) async fn run_all(
        &self,
        commands: impl ExactSizeIterator<Item = (Command, Option<IdempotencyKey>, Timestamp)>,
    ) -> Vec<Result<Outcome, EngineError>> {
        let len = commands.len();
        if len == 0 {
            return Vec::new();
        }
        let slot = Answers::slot(len);
        lock(&self.queue).extend(commands.enumerate().map(|(index, (command, key, now))| {
            Pending {
                command,
                key,
                now,
                slot: slot.clone(),
                index,
            }
        }));
        let mut writer = self.writer.lock().await;
        while lock(&slot).missing > 0 {
            let batch: Vec<Pending> = {
                let mut queue = lock(&self.queue);
                let take = queue.len().min(MAX_WRITE_COMMANDS);
                queue.drain(..take).collect()
            };
            // Even with nothing queued, a write of ours may wait to be settled (its leader
            // was cancelled): `run_batch` settles it first.
            let last = batch.is_empty();
            if let Some(error) = self.run_batch(&mut writer, batch).await {
                // Nothing of ours after the failed write is decided, so that nothing lands
                // after a command that did not.
                let ours = {
                    let mut queue = lock(&self.queue);
                    let (ours, others) = std::mem::take(&mut *queue)
                        .into_iter()
                        .partition(|pending| Arc::ptr_eq(&pending.slot, &slot));
                    *queue = others;
                    ours
                };
                answer_all(ours, &error);
                break;
            }
            if last {
                break;
            }
        }
        drop(writer);
        let results = std::mem::take(&mut lock(&slot).results);
        results
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| {
                    // Only when the command is in a write whose outcome could not be
                    // settled: every other path answers it.
                    Err(EngineError::Store(Arc::new(StoreError::outcome_unknown(
                        "the write of this command could not be settled",
                    ))))
                })
            })
            .collect()
    }
}

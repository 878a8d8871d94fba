//! The async engine handle that services hold: many concurrent callers, one log.
//!
//! Commands are decided by one leader at a time against the writer's copy of the state.
//! Commands that arrive while a write is in flight queue up and are decided together and
//! appended in one store call (group commit), so durable stores flush once for many
//! submissions. State changes only after the store acknowledges; readers take an immutable
//! snapshot (an `Arc`) and never wait for a writer. A leader takes at most
//! [`MAX_WRITE_COMMANDS`] queued commands per write, so one write stays bounded however
//! many callers wait; [`Engine::execute_batch`] queues many commands of one caller at once,
//! in order, and its caller leads writes until all of them are decided.
//!
//! # Several writers
//! Engines in several processes (or several in one) may share a store. Each append is
//! conditional on the log's end; one that conflicts reads what the others wrote and decides
//! its batch again. A conflict is safe but not fair: the writer that just won decides its
//! next batch while the loser is still reading, and can win every race. So after a conflict
//! the engine appends under the store's [`Turn`]s, when it has them: take the turn, read
//! the log's end, decide, append (no other append lands meanwhile, so this one does not
//! conflict), and the turns of several writers queue in order. It goes back to plain
//! appends, round trips cheaper, once [`QUIET_TURNS`] turns in a row found nothing new from
//! the others. The [`EngineError::Contention`] cap ([`MAX_CONFLICTS`] conflicts for one
//! batch) is left for what turns cannot queue (a store without them, an empty log).
//!
//! A command naming a team the engine does not know is refused with nothing written, so no
//! conflict would tell a stale engine that another process registered the team: the engine
//! reads the log once before deciding a batch that names one, and refuses it with
//! [`CommandError::UnknownTeam`](crate::state::CommandError::UnknownTeam) only if the team is
//! still unknown then.
//!
//! Opening starts from the store's [`Checkpoint`] when it verifies against the log and the
//! definition, and catches up from its position; otherwise it replays the whole log.
//! [`Engine::checkpoint`] writes one from the published state, so writers never wait for it;
//! the embedding service decides when ([`Engine::checkpoint_due`]), e.g. with
//! `hunt-store-sled`'s background checkpointer.

mod batch;
mod checkpoint;
mod error;
mod follow;

pub use batch::{Batched, MAX_WRITE_COMMANDS};
pub use checkpoint::CheckpointIgnored;
pub use error::EngineError;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::answer::Secret;
use crate::command::Command;
use crate::event::{Event, Recorded};
use crate::ids::{HuntId, IdempotencyKey, TeamId};
use crate::notify::Notifier;
use crate::state::{HintReply, HuntState, Outcome};
use crate::store::{Checkpoint, Digest, Store, StoreError, Turn};
use crate::time::Timestamp;
use crate::verdict::Verdict;

/// Events read per store call while catching up.
const READ_CHUNK: usize = 10_000;

/// Events read per store call while opening. A remote store's read costs a round trip and a
/// statement per call besides its rows: opening a 1M-event hunt on PostgreSQL fetched its rows
/// in 14.3 s in chunks of 10,000 and in 6.8 s in chunks of 100,000 (`benches`' `pg_open`),
/// and 100,000 events in memory at once are tens of megabytes.
const OPEN_CHUNK: usize = 100_000;

/// Conflicting writes tolerated for one batch before giving up.
pub const MAX_CONFLICTS: u32 = 64;

/// Turns in a row that found no events of other writers after which the engine appends
/// without a turn again (see the [module docs](self)).
pub const QUIET_TURNS: u32 = 16;

/// How often the writer looks for its spare copy to be free of readers before cloning.
const SPARE_TRIES: u32 = 64;

/// A queued command, and where its caller waits for its result.
#[derive(Debug)]
struct Pending {
    command: Command,
    key: Option<IdempotencyKey>,
    now: Timestamp,
    /// The caller's answers, and this command's place among them.
    slot: batch::Slot,
    index: usize,
}

impl Pending {
    /// Gives the caller this command's result.
    fn answer(&self, result: Result<Outcome, EngineError>) {
        lock(&self.slot).put(self.index, result);
    }
}

/// A batch handed to the store whose outcome is not known: its leader was cancelled during
/// the append, or the store answered [`StoreError::OutcomeUnknown`]. It can only have landed
/// at `base + 1` (appends are conditional), so the next leader reads there and compares.
#[derive(Debug)]
struct Unresolved {
    /// The log's end the batch was decided against and appended at.
    base: u64,
    /// The batch's events, each with its command's id.
    events: Vec<Event>,
    /// The callers, and the outcomes of the first decision, in the same order.
    pending: Vec<Pending>,
    results: Vec<Result<Outcome, EngineError>>,
}

/// The writer's side, held by the leader of the current batch.
#[derive(Debug, Default)]
struct Writer {
    /// The previously published state and the events it lacks; reused as the next working
    /// copy once no reader holds it, so a batch costs no full clone.
    spare: Option<(Arc<HuntState>, Vec<Event>)>,
    /// A batch whose write may or may not have landed: settled before anything is decided.
    unresolved: Option<Unresolved>,
    /// The log may hold events the published state lacks (a write failed, or one was settled
    /// as landed), so it must be read before anything is decided.
    stale: bool,
    /// Batches still to append under a turn: [`QUIET_TURNS`] after a conflict or a turn that
    /// found others' events, one less after each turn that found none.
    turns: u32,
}

/// How an engine got its state when it opened.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Opened {
    /// The position of the checkpoint the state started from, if one was used.
    pub checkpoint: Option<u64>,
    /// Events read from the log and applied: those after the checkpoint, or all of them.
    pub replayed: u64,
    /// Why the store's checkpoint was not used, if it had one that was not.
    pub ignored: Option<CheckpointIgnored>,
    /// Whether the compiled hunt came from the checkpoint, so the definition was not parsed
    /// and validated at open.
    pub compiled_from_checkpoint: bool,
}

/// A hunt's engine: decides commands, appends their events to a store, keeps the state.
pub struct Engine {
    store: Arc<dyn Store>,
    hunt: HuntId,
    queue: Mutex<Vec<Pending>>,
    writer: async_lock::Mutex<Writer>,
    published: ArcSwap<HuntState>,
    /// Notified after every publish, for [`Engine::changed`].
    moved: Notifier,
    /// The digest of the definition the state is derived with, for checkpoints.
    definition_digest: Digest,
    /// How the state was obtained at open.
    opened: Opened,
    /// Held while a checkpoint is written, so that checkpoints are saved in position order.
    checkpointing: async_lock::Mutex<()>,
    /// The position of the last checkpoint saved or used (0 if none).
    checkpointed: AtomicU64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("hunt", &self.hunt)
            .field("seq", &self.published.load().seq())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Validates `source`, saves it as the definition of its hunt (replacing the one stored,
    /// if any), and opens the engine.
    pub async fn create(
        store: Arc<dyn Store>,
        source: &str,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let hunt = crate::definition::load(source)
            .map_err(|error| EngineError::Definition { hunt: None, error })?;
        let id = hunt.id.clone();
        // Replaces the stored definition, if any, but only that one: a concurrent replacement
        // by someone else fails with `DefinitionConflict` instead of being overwritten.
        let stored = store.load_definition(&id).await?;
        let replaces = stored.as_deref().map(crate::store::definition_digest);
        store.save_definition(&id, source, replaces).await?;
        Self::start(store, id, Some(Arc::new(hunt)), source, secret).await
    }

    /// Opens the hunt `hunt` of `store`: loads its definition, then its checkpoint if it
    /// verifies (see [`Checkpoint`]) and the log after it, or else the whole log.
    /// [`Engine::opened`] tells which. A verified checkpoint carries the hunt compiled from
    /// that very definition, so opening from one does not parse and validate the definition
    /// again ([`Opened::compiled_from_checkpoint`]).
    pub async fn open(
        store: Arc<dyn Store>,
        hunt: &HuntId,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let source = store
            .load_definition(hunt)
            .await?
            .ok_or_else(|| EngineError::UnknownHunt(hunt.clone()))?;
        Self::start(store, hunt.clone(), None, &source, secret).await
    }

    /// Opens the engine of hunt `id` defined by `source`, compiled already (`create`) or not
    /// (`open`: compiled only when no checkpoint carries it).
    async fn start(
        store: Arc<dyn Store>,
        id: HuntId,
        compiled: Option<Arc<crate::hunt::Hunt>>,
        source: &str,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let digest = Checkpoint::digest_definition(source);
        let (state, opened) = load(&*store, &id, compiled, source, digest, secret).await?;
        Ok(Self {
            store,
            hunt: id,
            queue: Mutex::new(Vec::new()),
            writer: async_lock::Mutex::new(Writer::default()),
            definition_digest: digest,
            checkpointed: AtomicU64::new(opened.checkpoint.unwrap_or(0)),
            checkpointing: async_lock::Mutex::new(()),
            published: ArcSwap::from_pointee(state),
            moved: Notifier::new(),
            opened,
        })
    }

    /// How the state was obtained when the engine opened: from which checkpoint, how many
    /// events were replayed, and why a checkpoint was ignored.
    pub fn opened(&self) -> &Opened {
        &self.opened
    }

    /// The hunt this engine runs.
    pub fn hunt_id(&self) -> &HuntId {
        &self.hunt
    }

    /// The current state: an immutable snapshot that never waits for a writer.
    pub fn snapshot(&self) -> Arc<HuntState> {
        self.published.load_full()
    }

    /// Waits until the published state is past position `after` (its
    /// [`seq`](HuntState::seq)), and returns it: at once if it already is. For live readers
    /// (a board's stream, a team's page) that keep the position they last showed; they see
    /// every publish of this engine, whether its own commands or events another process
    /// appended and [`Engine::follow`] or [`Engine::catch_up`] read. Several publishes
    /// between two calls come back as one, the latest. Dropping the future cancels the wait.
    ///
    /// Time alone also changes views: wake up at [`Engine::next_change`] too.
    pub async fn changed(&self, after: u64) -> Arc<HuntState> {
        self.moved
            .wait_until(|| {
                let state = self.published.load_full();
                (state.seq() > after).then_some(state)
            })
            .await
    }

    /// The first instant after `now` at which a view changes with no new event (the
    /// freeze, the end, a timed unlock): see [`HuntState::next_change`]. A live board
    /// sleeps until the earlier of this and [`Engine::changed`].
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.published.load().next_change(now)
    }

    /// Registers a team, without an id: a retry registers again (or finds the name taken).
    /// Services use [`register_with_key`](Self::register_with_key).
    pub async fn register(
        &self,
        name: &str,
        division: Option<&str>,
        now: Timestamp,
    ) -> Result<TeamId, EngineError> {
        let command = Command::Register {
            name: name.to_owned(),
            division: division.map(str::to_owned),
        };
        match self.run(command, None, now).await? {
            Outcome::Registered(team) => Ok(team),
            other => unreachable!("registering gave {other:?}"),
        }
    }

    /// Registers a team. `key` is the caller's id for this registration: a retry with the
    /// same key (after a timeout or an error) is answered with the same team and registers
    /// nothing.
    pub async fn register_with_key(
        &self,
        name: &str,
        division: Option<&str>,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<TeamId, EngineError> {
        let command = Command::Register {
            name: name.to_owned(),
            division: division.map(str::to_owned),
        };
        match self.execute_with_key(command, key, now).await? {
            Outcome::Registered(team) => Ok(team),
            other => unreachable!("registering gave {other:?}"),
        }
    }

    /// Submits an answer and returns its verdict once it is durable. A retry with the same
    /// key gets [`Verdict::Duplicate`] with the original verdict.
    pub async fn submit(
        &self,
        team: TeamId,
        challenge: &str,
        answer: &str,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<Verdict, EngineError> {
        let command = Command::Submit {
            team,
            challenge: challenge.to_owned(),
            answer: answer.to_owned(),
            key,
        };
        match self.execute_with_key(command, key, now).await? {
            Outcome::Verdict(verdict) => Ok(verdict),
            other => unreachable!("submitting gave {other:?}"),
        }
    }

    /// Admin: awards (positive `delta`) or deducts points. Applied at most once per `key`.
    pub async fn adjust(
        &self,
        team: TeamId,
        delta: i64,
        reason: &str,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let command = Command::Adjust {
            team,
            delta,
            reason: reason.to_owned(),
        };
        self.execute_with_key(command, key, now).await.map(drop)
    }

    /// Admin: hides a team from the standings, or shows it again, and returns whether that
    /// changed anything (hiding a hidden team does not). Applied at most once per `key`.
    pub async fn set_hidden(
        &self,
        team: TeamId,
        hidden: bool,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<bool, EngineError> {
        let command = Command::SetHidden { team, hidden };
        match self.execute_with_key(command, key, now).await? {
            Outcome::Hidden { changed, .. } => Ok(changed),
            other => unreachable!("hiding gave {other:?}"),
        }
    }

    /// Takes a hint for a team and returns the reply (the hint and its cost, or why not). A
    /// retry with the same key gets the same reply and is charged once.
    pub async fn take_hint(
        &self,
        team: TeamId,
        challenge: &str,
        hint: &str,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<HintReply, EngineError> {
        let command = Command::TakeHint {
            team,
            challenge: challenge.to_owned(),
            hint: hint.to_owned(),
        };
        match self.execute_with_key(command, key, now).await? {
            Outcome::Hint(reply) => Ok(reply),
            other => unreachable!("taking a hint gave {other:?}"),
        }
    }

    /// Admin: grants a team `extra` counted guesses at a challenge, and returns whether the
    /// challenge caps attempts at all (without a cap the grant changes nothing the team can
    /// do). Applied at most once per `key`.
    pub async fn grant_attempts(
        &self,
        team: TeamId,
        challenge: &str,
        extra: u32,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<bool, EngineError> {
        let command = Command::GrantAttempts {
            team,
            challenge: challenge.to_owned(),
            extra,
        };
        match self.execute_with_key(command, key, now).await? {
            Outcome::Granted { capped, .. } => Ok(capped),
            other => unreachable!("granting gave {other:?}"),
        }
    }

    /// Admin: reveals the final board after a freeze, and returns whether that changed
    /// anything (revealing twice does not). Revealing before the freeze is refused unless
    /// `force`d (see [`Command::RevealBoard`]).
    pub async fn reveal_board(
        &self,
        force: bool,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<bool, EngineError> {
        match self
            .execute_with_key(Command::RevealBoard { force }, key, now)
            .await?
        {
            Outcome::Revealed { changed } => Ok(changed),
            other => unreachable!("revealing gave {other:?}"),
        }
    }

    /// Decides and durably records any command, with `key` as its id (a submission uses its
    /// own idempotency key): see [`HuntState::decide_with_key`].
    ///
    /// **Exactly once**: a command is applied at most once per key, and every caller gets the
    /// outcome of the command's first decision, also when a leader's future is dropped in the
    /// middle of the store's append, or the store answers
    /// [`StoreError::OutcomeUnknown`]: the next leader reads the log where that batch would
    /// have landed and matches its events (with their command ids) before deciding anything
    /// else. Dropping this future never loses or doubles a command; the command may still
    /// be applied, and a retry with the same key then gets its original outcome.
    pub async fn execute_with_key(
        &self,
        command: Command,
        key: IdempotencyKey,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        self.run(command, Some(key), now).await
    }

    /// Decides and durably records `command` without an id (a submission still uses its
    /// idempotency key): applied at most once by the engine itself (a cancelled or
    /// unknown write is settled as for [`execute_with_key`](Self::execute_with_key)), but a
    /// caller's retry of an admin command is applied again. Kept for tools and tests.
    pub async fn execute(&self, command: Command, now: Timestamp) -> Result<Outcome, EngineError> {
        self.run(command, None, now).await
    }

    async fn run(
        &self,
        command: Command,
        key: Option<IdempotencyKey>,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        let mut results = self.run_all(std::iter::once((command, key, now))).await;
        results.pop().expect("one result per command")
    }

    /// Reads events other processes appended and applies them; returns the new position.
    ///
    /// Settles first a write whose outcome was unknown, answering its callers.
    pub async fn catch_up(&self) -> Result<u64, EngineError> {
        let mut writer = self.writer.lock().await;
        writer.stale = true;
        let batch = std::mem::take(&mut *lock(&self.queue));
        let failed = self.run_batch(&mut writer, batch).await;
        match failed {
            Some(error) => Err(error),
            None => Ok(self.published.load().seq()),
        }
    }

    /// Settles an unresolved write, if any: landed (its callers get their first decision's
    /// outcomes), not landed (its commands are returned, to be decided again), or unknown
    /// still (the same events are appended again at the same position, which lands them or
    /// meets them there).
    async fn settle(&self, writer: &mut Writer) -> Result<Vec<Pending>, EngineError> {
        let mut unknown = 0;
        loop {
            let Some(unresolved) = writer.unresolved.as_ref() else {
                return Ok(Vec::new());
            };
            let (base, count) = (unresolved.base, unresolved.events.len());
            let found = match self.store.read(&self.hunt, base, count).await {
                Ok(found) => found,
                Err(e) => return Err(self.give_up(writer, e.into())),
            };
            let unresolved = writer.unresolved.as_ref().expect("still there");
            let landed = found.len() == count
                && found
                    .iter()
                    .zip(&unresolved.events)
                    .all(|(r, e)| r.event == *e);
            if landed {
                self.answer_unresolved(writer);
                return Ok(Vec::new());
            }
            if !found.is_empty() {
                // Another writer's events are where this batch would be: it never landed.
                let unresolved = writer.unresolved.take().expect("still there");
                return Ok(unresolved.pending);
            }
            match self
                .store
                .append(&self.hunt, base, &unresolved.events)
                .await
            {
                Ok(_) => {
                    self.answer_unresolved(writer);
                    return Ok(Vec::new());
                }
                // Something landed at `base + 1` meanwhile: look again.
                Err(StoreError::Conflict { .. }) => {}
                Err(e) if e.is_outcome_unknown() && unknown < MAX_CONFLICTS => unknown += 1,
                Err(e) => return Err(self.give_up(writer, e.into())),
            }
        }
    }

    /// The unresolved write landed: answers its callers with the first decision's outcomes;
    /// the log is read before the next decision.
    fn answer_unresolved(&self, writer: &mut Writer) {
        let unresolved = writer.unresolved.take().expect("an unresolved write");
        for (pending, result) in unresolved.pending.into_iter().zip(unresolved.results) {
            pending.answer(result);
        }
        writer.stale = true;
    }

    /// The unresolved write cannot be settled now: its callers get `error` (retrying with the
    /// same keys is safe), and the log is read before the next decision.
    fn give_up(&self, writer: &mut Writer, error: EngineError) -> EngineError {
        if let Some(unresolved) = writer.unresolved.take() {
            for pending in unresolved.pending {
                pending.answer(Err(error.clone()));
            }
        }
        writer.stale = true;
        error
    }

    /// Settles any unresolved write, then decides `batch`, appends its events in one call,
    /// applies and publishes; answers every caller. Returns the error the batch failed
    /// with, if it did.
    async fn run_batch(&self, writer: &mut Writer, batch: Vec<Pending>) -> Option<EngineError> {
        let mut batch = match self.settle(writer).await {
            Ok(mut again) => {
                again.extend(batch);
                again
            }
            Err(error) => {
                answer_all(batch, &error);
                return Some(error);
            }
        };
        let mut conflicts = 0;
        loop {
            let mut turn = None;
            if writer.turns > 0 {
                match self.store.take_turn(&self.hunt).await {
                    Ok(taken) => turn = taken,
                    Err(error) => {
                        let error = EngineError::from(error);
                        answer_all(batch, &error);
                        return Some(error);
                    }
                }
            }
            if !writer.stale && names_unknown_team(&self.published.load(), &batch) {
                // Another process may have registered it: read the log once before refusing.
                writer.stale = true;
            }
            let mut state = self.working_copy(writer);
            // Events other processes appended come first in what the spare will lack.
            let mut events = Vec::new();
            if writer.stale || turn.is_some() {
                let log = match turn.as_mut() {
                    Some(turn) => Log::Turn(&mut **turn),
                    None => Log::Store(&*self.store),
                };
                if let Err(error) =
                    read_into(log, &self.hunt, &mut state, false, Some(&mut events)).await
                {
                    answer_all(batch, &error);
                    return Some(error);
                }
                writer.stale = false;
                if turn.is_some() {
                    writer.turns = if events.is_empty() {
                        writer.turns - 1
                    } else {
                        QUIET_TURNS
                    };
                }
            }
            let base = state.seq();
            let caught_up = events.len();
            let mut results = Vec::with_capacity(batch.len());
            for pending in &batch {
                let decided = match pending.key {
                    Some(key) => state.decide_with_key(&pending.command, key, pending.now),
                    None => state.decide(&pending.command, pending.now),
                };
                let result = match decided {
                    Ok(decision) => match state.apply_all(&decision.events) {
                        Ok(()) => {
                            events.extend(decision.events);
                            Ok(decision.outcome)
                        }
                        Err(e) => Err(EngineError::Replay(e)),
                    },
                    Err(e) => Err(EngineError::Command(e)),
                };
                results.push(result);
            }
            if events.len() == caught_up {
                // Nothing of ours to write: publish what was caught up, if anything.
                self.publish(writer, state, events);
                answer(batch, results);
                return None;
            }
            // Recorded before the await: if this future is dropped mid-append, the next
            // leader finds the batch here and settles it instead of deciding it again. The
            // events move there (not a copy: cloning every event of every batch showed in
            // profiles) and are appended from there.
            writer.unresolved = Some(Unresolved {
                base,
                events: events.split_off(caught_up),
                pending: batch,
                results,
            });
            let ours = &writer.unresolved.as_ref().expect("recorded above").events;
            let appended = match turn {
                Some(turn) => turn.append(base, ours).await,
                None => self.store.append(&self.hunt, base, ours).await,
            };
            match appended {
                Ok(_) => {
                    let unresolved = writer.unresolved.take().expect("recorded above");
                    events.extend(unresolved.events);
                    self.publish(writer, state, events);
                    answer(unresolved.pending, unresolved.results);
                    return None;
                }
                Err(StoreError::Conflict { .. }) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    batch = writer.unresolved.take().expect("recorded above").pending;
                    writer.stale = true;
                    writer.turns = QUIET_TURNS;
                }
                Err(StoreError::Conflict { .. }) => {
                    let pending = writer.unresolved.take().expect("recorded above").pending;
                    let error = EngineError::Contention(conflicts);
                    answer_all(pending, &error);
                    return Some(error);
                }
                Err(e) if e.is_outcome_unknown() => {
                    // Settled now, so that these callers hear the first decision's outcome.
                    match self.settle(writer).await {
                        Ok(again) if again.is_empty() => return None,
                        Ok(again) => {
                            batch = again;
                            writer.stale = true;
                        }
                        Err(error) => return Some(error),
                    }
                }
                Err(e) => {
                    // Nothing was written, but read the log before deciding again anyway.
                    writer.stale = true;
                    let pending = writer.unresolved.take().expect("recorded above").pending;
                    let error = EngineError::from(e);
                    answer_all(pending, &error);
                    return Some(error);
                }
            }
        }
    }

    /// An owned copy of the published state to decide and apply on. Reuses the spare when no
    /// reader still holds it (the usual case: readers hold snapshots for microseconds),
    /// otherwise clones the published state.
    fn working_copy(&self, writer: &mut Writer) -> HuntState {
        if let Some((mut spare, lag)) = writer.spare.take() {
            for _ in 0..SPARE_TRIES {
                match Arc::try_unwrap(spare) {
                    Ok(mut state) => {
                        if state.apply_all(&lag).is_ok() {
                            return state;
                        }
                        break;
                    }
                    Err(shared) => {
                        spare = shared;
                        std::thread::yield_now();
                    }
                }
            }
        }
        self.published.load().as_ref().clone()
    }

    /// Publishes `state`; the previous state becomes the spare, lagging by `events`.
    fn publish(&self, writer: &mut Writer, state: HuntState, events: Vec<Event>) {
        let moved = !events.is_empty();
        let previous = self.published.swap(Arc::new(state));
        writer.spare = Some((previous, events));
        if moved {
            self.moved.notify_all();
        }
    }
}

/// The state of `hunt` at the end of its log, from its checkpoint if that verifies, else
/// from a full replay; and how it was obtained.
async fn load(
    store: &dyn Store,
    id: &HuntId,
    compiled: Option<Arc<crate::hunt::Hunt>>,
    source: &str,
    digest: Digest,
    secret: Option<Secret>,
) -> Result<(HuntState, Opened), EngineError> {
    // With the hunt at hand, fails before any loading when a secret is missing.
    if let Some(hunt) = &compiled {
        HuntState::new(hunt.clone(), secret.clone())?;
    }
    let mut ignored = None;
    let restored =
        checkpoint::restore_checkpoint(store, id, compiled.as_ref(), digest, secret.clone()).await;
    match restored {
        Ok(None) => {}
        Ok(Some(mut restored)) => {
            let from = restored.seq();
            match read_into(Log::Store(store), id, &mut restored, true, None).await {
                Ok(replayed) => {
                    let opened = Opened {
                        checkpoint: Some(from),
                        replayed,
                        ignored: None,
                        compiled_from_checkpoint: compiled.is_none(),
                    };
                    return Ok((restored, opened));
                }
                // The checkpoint verified but the log does not fit it: trust the log.
                Err(EngineError::Replay(e)) => ignored = Some(CheckpointIgnored::CatchUp(e)),
                Err(e) => return Err(e),
            }
        }
        Err(reason) => ignored = Some(reason),
    }
    let hunt =
        match compiled {
            Some(hunt) => hunt,
            None => Arc::new(crate::definition::load(source).map_err(|error| {
                EngineError::Definition {
                    hunt: Some(id.clone()),
                    error,
                }
            })?),
        };
    let mut state = HuntState::new(hunt, secret)?;
    let replayed = read_into(Log::Store(store), id, &mut state, true, None).await?;
    let opened = Opened {
        checkpoint: None,
        replayed,
        ignored,
        compiled_from_checkpoint: false,
    };
    Ok((state, opened))
}

/// Where the log is read from: the store, or a turn held at it.
enum Log<'a> {
    Store(&'a dyn Store),
    Turn(&'a mut dyn Turn),
}

impl Log<'_> {
    async fn read(
        &mut self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        match self {
            Self::Store(store) => store.read(hunt, after, limit).await,
            Self::Turn(turn) => turn.read(after, limit).await,
        }
    }
}

/// Applies every event of `hunt` after `state`'s position, appending them to `applied` if
/// given; returns how many were applied.
///
/// Opening is a replay (`bulk`), which ranks once at the end (see [`HuntState::bulk`]);
/// catching up applies event by event, since a short catch-up costs less than a re-rank.
async fn read_into(
    mut log: Log<'_>,
    hunt: &HuntId,
    state: &mut HuntState,
    bulk: bool,
    mut applied: Option<&mut Vec<Event>>,
) -> Result<u64, EngineError> {
    let mut state = state.bulk_if(bulk);
    let limit = if bulk { OPEN_CHUNK } else { READ_CHUNK };
    let mut count = 0;
    loop {
        let chunk = log.read(hunt, state.seq(), limit).await?;
        let full = chunk.len() == limit;
        count += chunk.len() as u64;
        for recorded in chunk {
            state.apply(&recorded)?;
            if let Some(applied) = applied.as_mut() {
                applied.push(recorded.event);
            }
        }
        if !full {
            return Ok(count);
        }
    }
}

/// Whether a command of `batch` names a team `state` does not have. Such a command is
/// refused without writing anything, so no conflict would tell a stale engine that another
/// process registered the team: the log is read first.
fn names_unknown_team(state: &HuntState, batch: &[Pending]) -> bool {
    batch.iter().any(|pending| {
        pending
            .command
            .team()
            .is_some_and(|team| state.team(team).is_none())
    })
}

/// Gives every caller of `batch` its result.
fn answer(batch: Vec<Pending>, results: Vec<Result<Outcome, EngineError>>) {
    for (pending, result) in batch.into_iter().zip(results) {
        pending.answer(result);
    }
}

/// Gives every caller of `batch` the same error.
fn answer_all(batch: Vec<Pending>, error: &EngineError) {
    for pending in batch {
        pending.answer(Err(error.clone()));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these short locks leaves plain data behind, still consistent.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

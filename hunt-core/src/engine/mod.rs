//! The async engine handle that services hold: many concurrent callers, one log.
//!
//! Commands are decided by one leader at a time against the writer's copy of the state.
//! Commands that arrive while a write is in flight queue up and are decided together and
//! appended in one store call (group commit), so durable stores flush once for many
//! submissions. State changes only after the store acknowledges; readers take an immutable
//! snapshot (an `Arc`) and never wait for a writer.
//!
//! Opening starts from the store's [`Checkpoint`] when it verifies against the log and the
//! definition, and catches up from its position; otherwise it replays the whole log.
//! [`Engine::checkpoint`] writes one from the published state, so writers never wait for it;
//! the embedding service decides when ([`Engine::checkpoint_due`]), e.g. with
//! `hunt-store-sled`'s background checkpointer.

mod error;

pub use error::EngineError;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::answer::Secret;
use crate::command::Command;
use crate::event::{Event, Recorded};
use crate::ids::{HuntId, TeamId};
use crate::state::{HuntState, Outcome};
use crate::store::{Checkpoint, CheckpointIgnored, Digest, Store, StoreError};
use crate::time::Timestamp;
use crate::verdict::Verdict;

/// Events read per store call while catching up.
const READ_CHUNK: usize = 10_000;

/// Conflicting writes tolerated for one batch before giving up.
const MAX_CONFLICTS: u32 = 64;

/// How often the writer looks for its spare copy to be free of readers before cloning.
const SPARE_TRIES: u32 = 64;

type Slot = Arc<Mutex<Option<Result<Outcome, EngineError>>>>;

#[derive(Debug)]
struct Pending {
    command: Command,
    now: Timestamp,
    slot: Slot,
}

/// The writer's side, held by the leader of the current batch.
#[derive(Debug, Default)]
struct Writer {
    /// The previously published state and the events it lacks; reused as the next working
    /// copy once no reader holds it, so a batch costs no full clone.
    spare: Option<(Arc<HuntState>, Vec<Event>)>,
    /// A batch whose leader was cancelled mid-write: its outcome is unknown.
    in_flight: Vec<Pending>,
    /// A write failed with an unknown outcome (it may have reached the store), so the log
    /// must be read again before anything is decided.
    stale: bool,
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
}

/// A hunt's engine: decides commands, appends their events to a store, keeps the state.
pub struct Engine {
    store: Arc<dyn Store>,
    hunt: HuntId,
    queue: Mutex<Vec<Pending>>,
    writer: async_lock::Mutex<Writer>,
    published: ArcSwap<HuntState>,
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
        Self::start(store, Arc::new(hunt), source, secret).await
    }

    /// Opens the hunt `hunt` of `store`: loads its definition, then its checkpoint if it
    /// verifies (see [`Checkpoint`]) and the log after it, or else the whole log.
    /// [`Engine::opened`] tells which.
    pub async fn open(
        store: Arc<dyn Store>,
        hunt: &HuntId,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let source = store
            .load_definition(hunt)
            .await?
            .ok_or_else(|| EngineError::UnknownHunt(hunt.clone()))?;
        let compiled =
            crate::definition::load(&source).map_err(|error| EngineError::Definition {
                hunt: Some(hunt.clone()),
                error,
            })?;
        Self::start(store, Arc::new(compiled), &source, secret).await
    }

    async fn start(
        store: Arc<dyn Store>,
        hunt: Arc<crate::hunt::Hunt>,
        source: &str,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let id = hunt.id.clone();
        let (state, opened) = load(&*store, hunt, source, secret).await?;
        Ok(Self {
            store,
            hunt: id,
            queue: Mutex::new(Vec::new()),
            writer: async_lock::Mutex::new(Writer::default()),
            definition_digest: Checkpoint::digest_definition(source),
            checkpointed: AtomicU64::new(opened.checkpoint.unwrap_or(0)),
            checkpointing: async_lock::Mutex::new(()),
            published: ArcSwap::from_pointee(state),
            opened,
        })
    }

    /// How the state was obtained when the engine opened: from which checkpoint, how many
    /// events were replayed, and why a checkpoint was ignored.
    pub fn opened(&self) -> &Opened {
        &self.opened
    }

    /// Saves a checkpoint of the current state to the store and returns its position (or
    /// that of the last checkpoint, if the state has not moved since; 0 for an empty log).
    ///
    /// Encodes the published snapshot, so writers and readers never wait for it; it takes
    /// time (and memory) in proportion to the state, so run it off latency-sensitive threads.
    /// While it holds the snapshot, the next batch clones the state once instead of reusing
    /// its spare copy. Checkpoints are written one at a time, in position order.
    pub async fn checkpoint(&self) -> Result<u64, EngineError> {
        let _one_at_a_time = self.checkpointing.lock().await;
        let last = self.checkpointed.load(Ordering::Acquire);
        let state = self.snapshot();
        let seq = state.seq();
        if seq <= last {
            return Ok(last);
        }
        let sample = read_sample(&*self.store, &self.hunt, seq).await?;
        let checkpoint =
            Checkpoint::new(&state, self.definition_digest, &sample).ok_or_else(|| {
                StoreError::Corruption {
                    what: format!(
                        "the log of hunt `{}` ends before position {seq}, which the engine has \
                     applied",
                        self.hunt
                    ),
                    source: None,
                }
            })?;
        drop(state);
        self.store.save_checkpoint(&self.hunt, &checkpoint).await?;
        self.checkpointed.store(seq, Ordering::Release);
        Ok(seq)
    }

    /// Whether at least `every` events (at least 1) were applied since the last checkpoint
    /// saved or opened from: a cheap test for a service that checkpoints every N events.
    pub fn checkpoint_due(&self, every: u64) -> bool {
        let last = self.checkpointed.load(Ordering::Acquire);
        self.published.load().seq() >= last.saturating_add(every.max(1))
    }

    /// The position of the last checkpoint this engine saved or opened from (0 if none).
    pub fn last_checkpoint(&self) -> u64 {
        self.checkpointed.load(Ordering::Acquire)
    }

    /// The hunt this engine runs.
    pub fn hunt_id(&self) -> &HuntId {
        &self.hunt
    }

    /// The current state: an immutable snapshot that never waits for a writer.
    pub fn snapshot(&self) -> Arc<HuntState> {
        self.published.load_full()
    }

    /// Registers a team.
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
        match self.execute(command, now).await? {
            Outcome::Registered(team) => Ok(team),
            other => unreachable!("registering gave {other:?}"),
        }
    }

    /// Submits an answer and returns its verdict once it is durable.
    pub async fn submit(
        &self,
        team: TeamId,
        challenge: &str,
        answer: &str,
        key: crate::ids::IdempotencyKey,
        now: Timestamp,
    ) -> Result<Verdict, EngineError> {
        let command = Command::Submit {
            team,
            challenge: challenge.to_owned(),
            answer: answer.to_owned(),
            key,
        };
        match self.execute(command, now).await? {
            Outcome::Verdict(verdict) => Ok(verdict),
            other => unreachable!("submitting gave {other:?}"),
        }
    }

    /// Decides and durably records any command.
    pub async fn execute(&self, command: Command, now: Timestamp) -> Result<Outcome, EngineError> {
        let slot: Slot = Arc::default();
        lock(&self.queue).push(Pending {
            command,
            now,
            slot: slot.clone(),
        });
        let mut writer = self.writer.lock().await;
        if let Some(result) = lock(&slot).take() {
            return result;
        }
        let mut batch = std::mem::take(&mut writer.in_flight);
        let resumed = !batch.is_empty() || writer.stale;
        batch.append(&mut lock(&self.queue));
        writer.in_flight = batch;
        self.run_batch(&mut writer, resumed).await;
        let result = lock(&slot).take();
        result.unwrap_or_else(|| unreachable!("the leader's own command is in its batch"))
    }

    /// Reads events other processes appended and applies them.
    pub async fn catch_up(&self) -> Result<u64, EngineError> {
        let mut writer = self.writer.lock().await;
        let mut state = self.working_copy(&mut writer);
        let mut events = Vec::new();
        read_into(
            &*self.store,
            &self.hunt,
            &mut state,
            false,
            Some(&mut events),
        )
        .await?;
        writer.stale = false;
        let seq = state.seq();
        self.publish(&mut writer, state, events);
        Ok(seq)
    }

    /// Decides the in-flight batch, appends its events in one call, applies and publishes.
    async fn run_batch(&self, writer: &mut Writer, mut must_catch_up: bool) {
        let mut conflicts = 0;
        let outcome = loop {
            let mut state = self.working_copy(writer);
            // Events other processes appended come first in what the spare will lack.
            let mut events = Vec::new();
            if must_catch_up {
                match read_into(
                    &*self.store,
                    &self.hunt,
                    &mut state,
                    false,
                    Some(&mut events),
                )
                .await
                {
                    Ok(_) => {
                        writer.stale = false;
                    }
                    Err(e) => break Err(e),
                }
            }
            let base = state.seq();
            let caught_up = events.len();
            let mut results = Vec::with_capacity(writer.in_flight.len());
            for pending in &writer.in_flight {
                let result = match state.decide(&pending.command, pending.now) {
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
                break Ok(results);
            }
            match self
                .store
                .append(&self.hunt, base, &events[caught_up..])
                .await
            {
                Ok(_) => {
                    self.publish(writer, state, events);
                    break Ok(results);
                }
                Err(StoreError::Conflict { .. }) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    must_catch_up = true;
                }
                Err(StoreError::Conflict { .. }) => break Err(EngineError::Contention(conflicts)),
                Err(e) => {
                    writer.stale = true;
                    break Err(e.into());
                }
            }
        };
        let batch = std::mem::take(&mut writer.in_flight);
        match outcome {
            Ok(results) => {
                for (pending, result) in batch.into_iter().zip(results) {
                    *lock(&pending.slot) = Some(result);
                }
            }
            Err(error) => {
                for pending in batch {
                    *lock(&pending.slot) = Some(Err(error.clone()));
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
        let previous = self.published.swap(Arc::new(state));
        writer.spare = Some((previous, events));
    }
}

/// The state of `hunt` at the end of its log, from its checkpoint if that verifies, else
/// from a full replay; and how it was obtained.
async fn load(
    store: &dyn Store,
    hunt: Arc<crate::hunt::Hunt>,
    source: &str,
    secret: Option<Secret>,
) -> Result<(HuntState, Opened), EngineError> {
    // Fails before any loading when a secret is missing.
    let mut state = HuntState::new(hunt.clone(), secret.clone())?;
    let mut ignored = None;
    match restore_checkpoint(store, &hunt, source, secret).await {
        Ok(None) => {}
        Ok(Some(mut restored)) => {
            let from = restored.seq();
            match read_into(store, &hunt.id, &mut restored, true, None).await {
                Ok(replayed) => {
                    let opened = Opened {
                        checkpoint: Some(from),
                        replayed,
                        ignored: None,
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
    let replayed = read_into(store, &hunt.id, &mut state, true, None).await?;
    let opened = Opened {
        checkpoint: None,
        replayed,
        ignored,
    };
    Ok((state, opened))
}

/// The state in the checkpoint of `hunt`, if the store has one and it verifies.
async fn restore_checkpoint(
    store: &dyn Store,
    hunt: &Arc<crate::hunt::Hunt>,
    source: &str,
    secret: Option<Secret>,
) -> Result<Option<HuntState>, CheckpointIgnored> {
    let unreadable = |e| CheckpointIgnored::Unreadable(Arc::new(e));
    let Some(checkpoint) = store.load_checkpoint(&hunt.id).await.map_err(unreadable)? else {
        return Ok(None);
    };
    let sample = read_sample(store, &hunt.id, checkpoint.seq)
        .await
        .map_err(unreadable)?;
    checkpoint.verify(&hunt.id, source, &sample)?;
    checkpoint
        .restore(hunt.clone(), secret)
        .map(Some)
        .map_err(CheckpointIgnored::Undecodable)
}

/// The events of `hunt` at the [`Checkpoint::sample_positions`] of `seq` that the log holds.
async fn read_sample(
    store: &dyn Store,
    hunt: &HuntId,
    seq: u64,
) -> Result<Vec<Recorded>, StoreError> {
    store
        .read_positions(hunt, &Checkpoint::sample_positions(seq))
        .await
}

/// Applies every event of `hunt` after `state`'s position, appending them to `applied` if
/// given; returns how many were applied.
///
/// Opening is a replay (`bulk`), which ranks once at the end (see [`HuntState::bulk`]);
/// catching up applies event by event, since a short catch-up costs less than a re-rank.
async fn read_into(
    store: &dyn Store,
    hunt: &HuntId,
    state: &mut HuntState,
    bulk: bool,
    mut applied: Option<&mut Vec<Event>>,
) -> Result<u64, EngineError> {
    let mut state = state.bulk_if(bulk);
    let mut count = 0;
    loop {
        let chunk = store.read(hunt, state.seq(), READ_CHUNK).await?;
        let full = chunk.len() == READ_CHUNK;
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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these short locks leaves plain data behind, still consistent.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

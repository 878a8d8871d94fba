//! The async engine handle that services hold: many concurrent callers, one log.
//!
//! Commands are decided by one leader at a time against the writer's copy of the state.
//! Commands that arrive while a write is in flight queue up and are decided together and
//! appended in one store call (group commit), so durable stores flush once for many
//! submissions. State changes only after the store acknowledges; readers take an immutable
//! snapshot (an `Arc`) and never wait for a writer.

mod error;

pub use error::EngineError;

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::answer::Secret;
use crate::command::Command;
use crate::event::Event;
use crate::ids::{HuntId, TeamId};
use crate::state::{HuntState, Outcome};
use crate::store::{Store, StoreError};
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

/// A hunt's engine: decides commands, appends their events to a store, keeps the state.
pub struct Engine {
    store: Arc<dyn Store>,
    hunt: HuntId,
    queue: Mutex<Vec<Pending>>,
    writer: async_lock::Mutex<Writer>,
    published: ArcSwap<HuntState>,
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
    /// Validates `source`, saves it as the definition of its hunt, and opens the engine.
    pub async fn create(
        store: Arc<dyn Store>,
        source: &str,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let hunt = crate::definition::load(source)
            .map_err(|error| EngineError::Definition { hunt: None, error })?;
        let id = hunt.id.clone();
        store.save_definition(&id, source).await?;
        Self::start(store, Arc::new(hunt), secret).await
    }

    /// Opens the hunt `hunt` of `store`: loads its definition and replays its log.
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
        Self::start(store, Arc::new(compiled), secret).await
    }

    async fn start(
        store: Arc<dyn Store>,
        hunt: Arc<crate::hunt::Hunt>,
        secret: Option<Secret>,
    ) -> Result<Self, EngineError> {
        let id = hunt.id.clone();
        let mut state = HuntState::new(hunt, secret)?;
        read_into(&*store, &id, &mut state).await?;
        Ok(Self {
            store,
            hunt: id,
            queue: Mutex::new(Vec::new()),
            writer: async_lock::Mutex::new(Writer::default()),
            published: ArcSwap::from_pointee(state),
        })
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
        let events = read_into(&*self.store, &self.hunt, &mut state).await?;
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
                match read_into(&*self.store, &self.hunt, &mut state).await {
                    Ok(theirs) => {
                        events = theirs;
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

/// Applies every event of `hunt` after `state`'s position; returns the events applied.
///
/// Loading from scratch is a replay, so it ranks once at the end (see [`HuntState::bulk`]);
/// catching up applies event by event, since a short catch-up costs less than a re-rank.
async fn read_into(
    store: &dyn Store,
    hunt: &HuntId,
    state: &mut HuntState,
) -> Result<Vec<Event>, EngineError> {
    let from_scratch = state.seq() == 0;
    let mut state = state.bulk_if(from_scratch);
    let mut applied = Vec::new();
    loop {
        let chunk = store.read(hunt, state.seq(), READ_CHUNK).await?;
        let full = chunk.len() == READ_CHUNK;
        for recorded in chunk {
            state.apply(&recorded)?;
            applied.push(recorded.event);
        }
        if !full {
            return Ok(applied);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these short locks leaves plain data behind, still consistent.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

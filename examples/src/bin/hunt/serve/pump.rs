//! The pump: one task that follows the engine's publishes, reads the new log entries, and
//! hands them to everything live (the token index, the solve announcements, every stream).
//!
//! Streams never read the store themselves: 5,000 board clients cost one read per publish,
//! not 5,000. Entries go out on a broadcast channel; a stream that falls behind it gets a
//! full snapshot instead of the entries it missed (see `sse.rs`).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use hunt_core::engine::Engine;
use hunt_core::event::{Event, JudgedAs};
use hunt_core::state::HuntState;
use hunt_core::store::Store;
use hunt_core::{HuntId, Recorded, TeamId};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use super::metrics::Metrics;
use super::tokens::TeamIndex;
use crate::failure::Failure;

/// Solves remembered for streams that resume; one further behind gets a snapshot only.
pub const SOLVES_KEPT: usize = 1_000;

/// Entries broadcast to live streams that a slow stream may lag behind by.
pub const CHANNEL: usize = 1_024;

/// New log entries, up to and including position `seq`.
#[derive(Debug, Clone)]
pub struct Update {
    /// The engine's position once these entries are applied.
    pub seq: u64,
    /// The entries, in log order.
    pub events: Arc<[Recorded]>,
}

/// A correct answer, as the board announces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solve {
    /// Its log position.
    pub seq: u64,
    /// The solving team.
    pub team: TeamId,
    /// Its display name.
    pub team_name: String,
    /// The challenge's title.
    pub challenge: String,
    /// Whether it was the challenge's first solve.
    pub first_blood: bool,
}

/// The latest solves, and which challenges were solved at all (for first bloods).
#[derive(Debug, Default)]
pub struct SolveLog {
    inner: Mutex<Solves>,
    /// The state as of the position learned up to. Streams show this state, not the
    /// engine's newest, so a board and the solves announced before it always agree: a
    /// newer state could be past a solve not learned yet.
    state: Mutex<Option<Arc<HuntState>>>,
}

#[derive(Debug, Default)]
struct Solves {
    recent: VecDeque<Solve>,
    solved: HashSet<String>,
}

impl SolveLog {
    /// Records the solves among `events`, naming teams and challenges from `engine`'s state.
    fn learn(&self, state: &HuntState, events: &[Recorded]) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for recorded in events {
            let Event::SubmissionJudged {
                team,
                challenge,
                judged: JudgedAs::Correct,
                ..
            } = &recorded.event
            else {
                continue;
            };
            let Some(info) = state.team(*team) else {
                continue;
            };
            // Hidden teams' solves take no first blood and are not announced.
            if info.hidden {
                continue;
            }
            let title = state
                .hunt()
                .challenge_by_slug(challenge)
                .map_or_else(|| challenge.clone(), |c| c.title.clone());
            let first_blood = inner.solved.insert(challenge.clone());
            inner.recent.push_back(Solve {
                seq: recorded.seq,
                team: *team,
                team_name: info.name.clone(),
                challenge: title,
                first_blood,
            });
            if inner.recent.len() > SOLVES_KEPT {
                inner.recent.pop_front();
            }
        }
    }

    /// The state as of the last position learned.
    pub fn state(&self) -> Option<Arc<HuntState>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Records that everything up to `state`'s position is learned.
    fn reached(&self, state: Arc<HuntState>) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = Some(state);
    }

    /// The solves at positions in `(after, upto]`, or `None` if some of them are no longer
    /// remembered (the caller then shows a snapshot only).
    pub fn between(&self, after: u64, upto: u64) -> Option<Vec<Solve>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let forgotten = inner.recent.len() == SOLVES_KEPT
            && inner.recent.front().is_some_and(|s| s.seq > after + 1);
        if forgotten {
            return None;
        }
        Some(
            inner
                .recent
                .iter()
                .filter(|s| s.seq > after && s.seq <= upto)
                .cloned()
                .collect(),
        )
    }
}

/// Reads the whole log once at start: fills the token index and the solve log, and
/// returns the position it reached.
pub async fn start(
    engine: &Engine,
    store: &dyn Store,
    teams: &TeamIndex,
    solves: &SolveLog,
) -> Result<u64, Failure> {
    let state = engine.snapshot();
    let upto = state.seq();
    let events = read(store, engine.hunt_id(), 0, upto).await?;
    teams.learn(&events);
    solves.learn(&state, &events);
    solves.reached(state);
    Ok(upto)
}

/// Follows the engine from position `seq` until `stopping` turns true.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    engine: Arc<Engine>,
    store: Arc<dyn Store>,
    teams: Arc<TeamIndex>,
    solves: Arc<SolveLog>,
    updates: broadcast::Sender<Update>,
    metrics: Arc<Metrics>,
    mut seq: u64,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        let state = tokio::select! {
            state = engine.changed(seq) => state,
            _ = stopping.wait_for(|stop| *stop) => return,
        };
        let upto = state.seq();
        let events = match read(&*store, engine.hunt_id(), seq, upto).await {
            Ok(events) => events,
            Err(failure) => {
                // The engine already has these entries; a read failing here only delays
                // the live views, so wait a little and read again.
                tracing::warn!(error = ?failure, "reading the log for live views failed");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                continue;
            }
        };
        teams.learn(&events);
        solves.learn(&state, &events);
        solves.reached(state);
        seq = upto;
        metrics.set_position(seq);
        // No receivers is not an error: nobody is watching right now.
        let _ = updates.send(Update {
            seq,
            events: events.into(),
        });
    }
}

/// The entries of `hunt` at positions in `(after, upto]`.
async fn read(
    store: &dyn Store,
    hunt: &HuntId,
    after: u64,
    upto: u64,
) -> Result<Vec<Recorded>, Failure> {
    let mut events = crate::store::read_log(store, hunt, after).await?;
    events.retain(|recorded| recorded.seq <= upto);
    Ok(events)
}

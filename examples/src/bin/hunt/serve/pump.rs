//! The pump: one task that follows the engine's publishes, reads the new log entries, and
//! hands them to everything live (the token index, the solve announcements, every stream).
//!
//! Streams never read the store themselves: 5,000 board clients cost one read per publish,
//! not 5,000. Entries go out on a broadcast channel; a stream that falls behind it gets a
//! full snapshot instead of the entries it missed (see `sse.rs`).

use std::collections::HashSet;
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

/// Every first blood so far (at most one per challenge, so all are kept: a stream that fell
/// behind, or resumes, announces every one it missed), and which challenges were solved.
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
    /// In log order.
    first_bloods: Vec<Solve>,
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
            if inner.solved.insert(challenge.clone()) {
                inner.first_bloods.push(Solve {
                    seq: recorded.seq,
                    team: *team,
                    team_name: info.name.clone(),
                    challenge: title,
                    first_blood: true,
                });
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

    /// The first bloods at positions in `(after, upto]`.
    pub fn first_bloods_between(&self, after: u64, upto: u64) -> Vec<Solve> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let all = &inner.first_bloods;
        let from = all.partition_point(|s| s.seq <= after);
        let to = all.partition_point(|s| s.seq <= upto);
        all[from..to.max(from)].to_vec()
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

#[cfg(test)]
mod tests {
    use super::*;
    use hunt_core::{IdempotencyKey, Timestamp};

    /// A stream that falls behind by more solves than any window of recent ones still gets
    /// every first blood it missed: they were lost for it when only the last 1,000 solves
    /// were kept.
    #[test]
    fn every_first_blood_is_kept_however_many_solves_follow() {
        let source = "id = \"t\"\ntitle = \"T\"\nstart = 2026-11-28T09:00:00Z\n\
                      end = 2026-11-28T21:00:00Z\n\n[[challenge]]\nid = \"a\"\ntitle = \"A\"\n\
                      points = 1\nanswers = [\"x\"]\n\n[[challenge]]\nid = \"b\"\n\
                      title = \"B\"\npoints = 1\nanswers = [\"x\"]\n";
        let hunt = Arc::new(hunt_core::definition::load(source).expect("a valid hunt"));
        let mut state = HuntState::new(hunt, None).expect("a state");
        let at = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("an instant");
        let teams = 1_200u32;
        let mut seq = 0;
        for t in 0..teams {
            seq += 1;
            let event = Event::TeamRegistered {
                team: TeamId(t),
                name: format!("Team {t}"),
                division: None,
                key: None,
                at,
            };
            state.apply(&Recorded { seq, event }).expect("registers");
        }
        let solve = |seq: u64, team: u32, challenge: &str| Recorded {
            seq,
            event: Event::SubmissionJudged {
                team: TeamId(team),
                challenge: challenge.to_owned(),
                key: IdempotencyKey(u128::from(seq)),
                answer: "x".to_owned(),
                judged: JudgedAs::Correct,
                at,
            },
        };
        let registered = seq;
        // The first blood of `a`, then every team's solve of `b`.
        let mut solves = vec![solve(registered + 1, 0, "a")];
        for t in 0..teams {
            solves.push(solve(registered + 2 + u64::from(t), t, "b"));
        }
        let log = SolveLog::default();
        log.learn(&state, &solves);
        let end = registered + 1 + u64::from(teams);
        let announced: Vec<(String, u32)> = log
            .first_bloods_between(registered, end)
            .into_iter()
            .map(|s| (s.challenge, s.team.0))
            .collect();
        assert_eq!(announced, [("A".to_owned(), 0), ("B".to_owned(), 0)]);
        // A stream that already showed the first one gets only the second.
        let later = log.first_bloods_between(registered + 1, end);
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].challenge, "B");
    }
}

//! The engine's state machine: `decide` turns a command into a verdict and events, `apply`
//! folds events into the state. Both are pure; time is an argument.
//!
//! The state is a fold over the log: [`HuntState::replay`] of the same definition and log
//! always gives an equal state, and the incremental standings equal a from-scratch sort.

mod apply;
mod decide;
mod error;
mod team;
mod unlock;
mod views;

pub use decide::{Decision, Outcome};
pub use error::{CommandError, ReplayError};
pub use team::{Guesses, Solve, TeamState};
pub use views::{ChallengeView, Progress, Row, SolvedView};

use std::collections::HashMap;
use std::sync::Arc;

use crate::answer::{Accepted, Secret};
use crate::event::Recorded;
use crate::hunt::Hunt;
use crate::ids::{IdempotencyKey, TeamId};
use crate::standings::RankIndex;
use crate::verdict::Verdict;

/// A hunt with sealed answers was opened without the secret to check them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hunt {0} has sealed answers: supply the secret they were sealed with")]
pub struct SecretMissing(pub crate::ids::HuntId);

/// What an idempotency key was used for, so a retry gets the original verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyUse {
    pub(crate) team: TeamId,
    pub(crate) challenge: crate::ids::ChallengeId,
    pub(crate) verdict: Verdict,
}

/// Per-challenge counters shared by all teams.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ChallengeStats {
    /// Solves by teams that were visible when they solved.
    pub(crate) visible_solves: u32,
}

/// The derived state of one hunt: a fold of its definition and event log.
#[derive(Debug, Clone)]
pub struct HuntState {
    hunt: Arc<Hunt>,
    secret: Option<Arc<Secret>>,
    seq: u64,
    teams: Vec<TeamState>,
    names: HashMap<String, TeamId>,
    keys: HashMap<IdempotencyKey, KeyUse>,
    stats: Vec<ChallengeStats>,
    standings: RankIndex,
}

impl HuntState {
    /// An empty state (no teams, no events) for `hunt`.
    ///
    /// `secret` is required when the hunt has sealed answers, and ignored otherwise.
    pub fn new(hunt: Arc<Hunt>, secret: Option<Secret>) -> Result<Self, SecretMissing> {
        let sealed = hunt
            .challenges
            .iter()
            .any(|c| matches!(c.answers.accepted, Accepted::Sealed(_)));
        if sealed && secret.is_none() {
            return Err(SecretMissing(hunt.id.clone()));
        }
        Ok(Self {
            secret: secret.map(Arc::new),
            seq: 0,
            teams: Vec::new(),
            names: HashMap::new(),
            keys: HashMap::new(),
            stats: vec![ChallengeStats::default(); hunt.challenges.len()],
            standings: RankIndex::new(hunt.shared_ranks),
            hunt,
        })
    }

    /// Replays a whole log from scratch.
    pub fn replay<'a>(
        hunt: Arc<Hunt>,
        secret: Option<Secret>,
        log: impl IntoIterator<Item = &'a Recorded>,
    ) -> Result<Self, ReplayFailure> {
        let mut state = Self::new(hunt, secret).map_err(ReplayFailure::Secret)?;
        for recorded in log {
            state.apply(recorded).map_err(ReplayFailure::Replay)?;
        }
        Ok(state)
    }

    /// The compiled hunt.
    pub fn hunt(&self) -> &Arc<Hunt> {
        &self.hunt
    }

    /// Position of the last applied event (0 before any).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Number of registered teams (hidden ones included).
    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// A team's derived state.
    pub fn team(&self, team: TeamId) -> Option<&TeamState> {
        self.teams.get(team.index())
    }

    /// The team registered under this display name (compared after normalization).
    pub fn team_by_name(&self, name: &str) -> Option<TeamId> {
        self.names.get(&name_key(name)).copied()
    }

    /// Every team, in id order.
    pub fn teams(&self) -> impl ExactSizeIterator<Item = (TeamId, &TeamState)> {
        self.teams
            .iter()
            .enumerate()
            .map(|(i, t)| (TeamId(i as u32), t))
    }

    /// Solves of `challenge` by teams that were visible when they solved.
    pub fn solve_count(&self, challenge: crate::ids::ChallengeId) -> u32 {
        self.stats[challenge.index()].visible_solves
    }

    /// The order-statistic index of visible teams.
    pub fn rank_index(&self) -> &RankIndex {
        &self.standings
    }
}

/// Why a log could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayFailure {
    /// The hunt needs a secret.
    #[error(transparent)]
    Secret(SecretMissing),
    /// An event does not fit.
    #[error(transparent)]
    Replay(ReplayError),
}

/// The key under which display names must be unique: trimmed, caseless.
pub(crate) fn name_key(name: &str) -> String {
    crate::answer::Normalization::Caseless.apply(name)
}

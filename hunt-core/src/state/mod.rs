//! The engine's state machine: `decide` turns a command into a verdict and events, `apply`
//! folds events into the state. Both are pure; time is an argument.
//!
//! The state is a fold over the log: [`HuntState::replay`] of the same definition and log
//! always gives an equal state, and the incremental standings equal a from-scratch sort.

mod apply;
mod bulk;
mod decide;
mod error;
mod freeze;
mod hints;
mod names;
mod pricing;
mod ranking;
mod schedule;
mod snapshot;
mod solved;
mod team;
mod timeline;
mod unlock;
mod views;

pub use bulk::BulkApply;
pub use decide::{Decision, Outcome};
pub use error::{CommandError, ReplayError};
pub use hints::{Charged, HintReply, HintView};
pub use snapshot::SnapshotError;
pub use team::{Guesses, Solve, TakenHint, TeamState};
pub use timeline::{Cause, TimelinePoint};

pub use views::{ChallengeView, Progress, Row, SolvedView};

use std::collections::HashMap;
use std::sync::Arc;

use crate::answer::{Accepted, Secret};
use crate::event::Recorded;
use crate::hunt::Hunt;
use crate::ids::{IdempotencyKey, TeamId};
use crate::standings::RankIndex;
use crate::time::Timestamp;
use crate::verdict::Verdict;

/// A hunt was opened without the secret its sealed answers need, or with another one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The hunt has sealed answers and no secret was supplied.
    #[error("hunt {0} has sealed answers: supply the secret they were sealed with")]
    Missing(crate::ids::HuntId),
    /// The secret supplied is not the one the hunt's answers were sealed with: its
    /// fingerprint differs from the definition's `secret_fingerprint`. Judging with it would
    /// find every sealed answer wrong, for good.
    #[error(
        "hunt {0} was sealed with another secret: the secret's fingerprint does not match the \
         hunt's `secret_fingerprint`, so every sealed answer would be judged wrong"
    )]
    Mismatch(crate::ids::HuntId),
}

/// Hash maps of the hot path: foldhash is several times faster than SipHash on short keys
/// and still seeded per process, so clients cannot aim collisions at it.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An idempotency key as the state's maps hold it: two `u64`s, so a map entry is aligned to 8
/// bytes rather than the 16 of a `u128` (8 bytes less per judged submission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key([u64; 2]);

impl From<IdempotencyKey> for Key {
    fn from(key: IdempotencyKey) -> Self {
        Self([(key.0 >> 64) as u64, key.0 as u64])
    }
}

impl From<Key> for IdempotencyKey {
    fn from(key: Key) -> Self {
        IdempotencyKey(u128::from(key.0[0]) << 64 | u128::from(key.0[1]))
    }
}

/// What the id of a command other than a submission was used for, so a retry gets the
/// original outcome and is applied at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CommandUse {
    Registered(TeamId),
    Adjusted(TeamId),
    Hidden(TeamId),
    Hint {
        team: TeamId,
        challenge: crate::ids::ChallengeId,
        hint: u32,
        cost: i64,
        charged: hints::Charged,
    },
    Granted(TeamId),
    Revealed,
}

impl CommandUse {
    /// The team the command acted on, if any.
    pub(crate) fn team(self) -> Option<TeamId> {
        match self {
            CommandUse::Registered(team)
            | CommandUse::Adjusted(team)
            | CommandUse::Hidden(team)
            | CommandUse::Granted(team)
            | CommandUse::Hint { team, .. } => Some(team),
            CommandUse::Revealed => None,
        }
    }
}

/// What an idempotency key was used for, so a retry gets the original verdict.
///
/// Kept compact (no strings) because every judged submission keeps one for the whole hunt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct KeyUse {
    pub(crate) team: TeamId,
    pub(crate) challenge: crate::ids::ChallengeId,
    pub(crate) outcome: KeyOutcome,
}

/// The verdict a key got, without the strings a [`Verdict`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum KeyOutcome {
    Correct {
        points: i64,
        first_solve: bool,
    },
    Incorrect {
        repeated: bool,
        attempts_left: Option<u32>,
    },
    Partial {
        reply: u32,
    },
}

impl KeyOutcome {
    /// The full verdict, with the partial reply taken from the hunt.
    pub(crate) fn verdict(self, hunt: &Hunt, challenge: crate::ids::ChallengeId) -> Verdict {
        match self {
            KeyOutcome::Correct {
                points,
                first_solve,
            } => Verdict::Correct {
                points,
                first_solve,
            },
            KeyOutcome::Incorrect {
                repeated,
                attempts_left,
            } => Verdict::Incorrect {
                repeated,
                attempts_left,
            },
            KeyOutcome::Partial { reply } => Verdict::Partial {
                reply: hunt
                    .challenge(challenge)
                    .answers
                    .partials
                    .get(reply as usize)
                    .map(|p| p.reply.clone())
                    .unwrap_or_default(),
            },
        }
    }
}

/// One solver of a challenge, in log order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Solver {
    pub(crate) team: TeamId,
    /// Whether the solve counts for values and first bloods (the team is visible and its
    /// division affects values).
    pub(crate) counted: bool,
}

/// Per-challenge solvers shared by all teams: the input of the challenge's pricing.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ChallengeStats {
    /// Every solver, in log order.
    pub(crate) solvers: Vec<Solver>,
    /// How many of them count.
    pub(crate) counted: u32,
}

/// The derived state of one hunt: a fold of its definition and event log.
#[derive(Debug, Clone)]
pub struct HuntState {
    hunt: Arc<Hunt>,
    secret: Option<Arc<Secret>>,
    seq: u64,
    /// The latest time of any applied event: the log's clock, which commands never go behind.
    last_at: Option<Timestamp>,
    teams: Vec<TeamState>,
    /// Display names: their keys and look-alike keys.
    names: names::NameIndex,
    keys: FastMap<Key, KeyUse>,
    /// The ids of every other command that changed something.
    commands: FastMap<Key, CommandUse>,
    stats: Vec<ChallengeStats>,
    /// Counted solves of the most-solved challenge (rCTF prices against it).
    max_solves: u32,
    /// The standings, global and per division (indexed like `division_names`).
    ranking: ranking::Ranking,
    /// Division name → index into `division_names`.
    division_ids: FastMap<String, u32>,
    /// The divisions teams registered in, in order of first use.
    division_names: Vec<String>,
    /// The board as of the freeze: forked from this state by the first event at or after
    /// the freeze time, then fed only events before it. `None` before that and after the
    /// reveal.
    frozen: Option<Box<HuntState>>,
    /// Whether an admin revealed the final board.
    revealed: bool,
    /// While a [`BulkApply`] is open, the standings are rebuilt once at its end instead of
    /// after every event, and (unless `tracks_peak`) each repriced challenge is priced once.
    deferred: bool,
    /// Challenges whose solvers still hold outdated points, repriced when a bulk
    /// application ends; all false outside one.
    stale: Vec<bool>,
    /// Whether some unlock rule tests a score threshold, the only reader of each team's
    /// peak score: only then is the peak kept, and only then must a bulk replay price every
    /// solve as it comes (the peak depends on the prices along the way).
    tracks_peak: bool,
    /// The hunt's timed instants, sorted once (the hunt never changes under a state).
    instants: schedule::Instants,
    /// While a [`BulkApply`] that defers pricing is open: the solves and keys waiting to be
    /// written (see `state::bulk`); `None` otherwise.
    staged: Option<Box<bulk::Staged>>,
}

impl HuntState {
    /// An empty state (no teams, no events) for `hunt`.
    ///
    /// `secret` is required when the hunt has sealed answers, and ignored otherwise.
    pub fn new(hunt: Arc<Hunt>, secret: Option<Secret>) -> Result<Self, SecretError> {
        let sealed = hunt
            .challenges
            .iter()
            .any(|c| matches!(c.answers.accepted, Accepted::Sealed(_)));
        if sealed && secret.is_none() {
            return Err(SecretError::Missing(hunt.id.clone()));
        }
        if let (Some(expected), Some(secret)) = (hunt.secret_fingerprint, &secret)
            && secret.fingerprint() != expected
        {
            return Err(SecretError::Mismatch(hunt.id.clone()));
        }
        Ok(Self {
            secret: secret.map(Arc::new),
            seq: 0,
            last_at: None,
            teams: Vec::new(),
            names: names::NameIndex::default(),
            keys: FastMap::default(),
            commands: FastMap::default(),
            stats: vec![ChallengeStats::default(); hunt.challenges.len()],
            max_solves: 0,
            ranking: ranking::Ranking::new(hunt.shared_ranks),
            division_ids: FastMap::default(),
            division_names: Vec::new(),
            frozen: None,
            revealed: false,
            deferred: false,
            stale: vec![false; hunt.challenges.len()],
            tracks_peak: hunt.challenges.iter().any(|c| tests_score(&c.unlock)),
            instants: schedule::Instants::of(&hunt),
            staged: None,
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
        let log = log.into_iter();
        // At most one idempotency key per event: sizing the map once saves its rehashes.
        state.keys.reserve(log.size_hint().0);
        state.bulk().apply_all(log).map_err(ReplayFailure::Replay)?;
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

    /// The log's time: the latest time of any event applied (`None` before any). Commands
    /// are decided no earlier than it; see [`HuntState::decide`].
    pub fn log_time(&self) -> Option<Timestamp> {
        self.last_at
    }

    /// Number of registered teams (hidden ones included).
    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// A team's derived state.
    pub fn team(&self, team: TeamId) -> Option<&TeamState> {
        self.teams.get(team.index())
    }

    /// The team registered under this display name, compared ignoring case and spacing.
    pub fn team_by_name(&self, name: &str) -> Option<TeamId> {
        self.names.find(&self.teams, name)
    }

    /// Every team, in id order.
    pub fn teams(&self) -> impl ExactSizeIterator<Item = (TeamId, &TeamState)> {
        self.teams
            .iter()
            .enumerate()
            .map(|(i, t)| (TeamId(i as u32), t))
    }

    /// Solves of `challenge` that count: by visible teams in divisions that affect values.
    pub fn solve_count(&self, challenge: crate::ids::ChallengeId) -> u32 {
        self.stats[challenge.index()].counted
    }

    /// What solving `challenge` is worth right now to the next counted solver (first-blood
    /// bonus included): the value a team sees on the challenge.
    pub fn current_value(&self, challenge: crate::ids::ChallengeId) -> i64 {
        self.hunt
            .challenge(challenge)
            .scoring
            .next_points(self.solve_count(challenge), self.max_solves)
    }

    /// Whether a command with this id (a submission's idempotency key included) changed the
    /// state: a retry of it is answered with its original outcome and changes nothing.
    pub fn knows_key(&self, key: IdempotencyKey) -> bool {
        let key = Key::from(key);
        self.keys.contains_key(&key) || self.commands.contains_key(&key)
    }

    /// The order-statistic index of visible teams.
    pub fn rank_index(&self) -> &RankIndex {
        &self.boards().global
    }
}

/// Whether `rule` tests the team's score anywhere in it.
fn tests_score(rule: &crate::hunt::UnlockRule) -> bool {
    use crate::hunt::UnlockRule;
    match rule {
        UnlockRule::ScoreAtLeast(_) => true,
        UnlockRule::AllOf(rules) | UnlockRule::AnyOf(rules) => rules.iter().any(tests_score),
        UnlockRule::AtLeast { of, .. } => of.iter().any(tests_score),
        _ => false,
    }
}

/// Why a log could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayFailure {
    /// The hunt needs a secret.
    #[error(transparent)]
    Secret(SecretError),
    /// An event does not fit.
    #[error(transparent)]
    Replay(ReplayError),
}

pub(crate) use names::name_key;

//! The compiled hunt: a validated definition with dense ids, ready for the engine.
//!
//! Built only by [`crate::definition::compile`], so every value here has passed validation:
//! references resolve, the unlock graph is acyclic, every challenge can unlock, answers are
//! non-empty after normalization and regexes are compiled.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::answer::AnswerChecker;
use crate::hint::{Hint, HintCharge};
use crate::ids::{ChallengeId, HuntId, RoundId};
use crate::scoring::Scoring;
use crate::throttle::{RateWindow, Throttle};
use crate::time::{Span, Timestamp};

/// How teams are ordered in the standings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RankingOrder {
    /// CTFd / rCTF: score descending, then the time the team reached that score (counting only
    /// non-zero items of tie-break-eligible challenges and awards) ascending, then team id.
    #[default]
    Points,
    /// gph-site: time of solving the final meta ascending (teams without it last), then number
    /// of solves descending, then time of the last solve (or registration) ascending, then team id.
    PuzzleHunt,
}

/// How exactly tied teams share places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SharedRanks {
    /// Standard competition ranking, "1224": tied teams share a place, the next place skips.
    #[default]
    Standard,
    /// Dense ranking, "1223": tied teams share a place, the next place does not skip.
    Dense,
    /// Ordinal ranking, "1234": every team gets its own place (ties broken by team id).
    Ordinal,
}

/// What a team sees of a challenge it has not unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LockedView {
    /// Nothing: the challenge is absent from the team's progress.
    #[default]
    Hidden,
    /// The title (and round) only, never the content.
    Preview,
}

/// Limits that protect the engine from hostile input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Limits {
    /// Longest raw answer accepted, in bytes; longer ones are rejected before normalization.
    pub max_answer_bytes: usize,
    /// Longest team display name, in bytes.
    pub max_team_name_bytes: usize,
    /// Longest reason for an admin adjustment, in bytes.
    pub max_reason_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_answer_bytes: 1024,
            max_team_name_bytes: 128,
            max_reason_bytes: 1024,
        }
    }
}

/// A compiled unlock rule over a team's progress and the hunt clock.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnlockRule {
    /// Unlocked from the start.
    Always,
    /// Unlocked once the team has solved this challenge.
    Solved(ChallengeId),
    /// Unlocked when every rule holds (an empty list holds).
    AllOf(Vec<UnlockRule>),
    /// Unlocked when at least one rule holds (an empty list never holds).
    AnyOf(Vec<UnlockRule>),
    /// Unlocked when at least `n` of the rules hold.
    AtLeast {
        /// How many must hold.
        n: u32,
        /// The rules counted.
        of: Vec<UnlockRule>,
    },
    /// Unlocked once the team's score has reached this (its peak counts, so penalties,
    /// hint costs or decaying values never lock it again).
    ScoreAtLeast(i64),
    /// Unlocked this long after the hunt starts.
    After(Span),
    /// Unlocked once the team has solved at least `n` challenges of `round`.
    SolvesInRound {
        /// The round counted.
        round: RoundId,
        /// How many solves it takes.
        n: u32,
    },
}

/// A partial answer: a "keep going" reply, free and not counted as a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialAnswer {
    /// The partial answer, normalized with the challenge's normalization.
    pub normalized: String,
    /// What the team is told.
    pub reply: String,
}

/// One challenge of a compiled hunt.
///
/// Made only by [`definition::load`](crate::definition::load), which validates it
/// (`#[non_exhaustive]`: no struct literal outside this crate).
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Challenge {
    /// Dense id: the challenge's position in the definition.
    pub id: ChallengeId,
    /// The slug written in the definition and in events.
    pub slug: String,
    /// Title shown to teams (also in a locked preview).
    pub title: String,
    /// Content, shown only once unlocked.
    pub content: String,
    /// Round (category), if any.
    pub round: Option<RoundId>,
    /// Whether this is a meta challenge.
    pub meta: bool,
    /// What a correct answer is worth: static points or a dynamic rule, with first-blood
    /// bonuses.
    pub scoring: Scoring,
    /// Accepted answers and partial answers, with the normalization that applies to them.
    pub answers: AnswerChecker,
    /// When this challenge unlocks for a team.
    pub unlock: UnlockRule,
    /// Whether solving it moves the team's tie-break time.
    pub tie_break: bool,
    /// Attempt cap, rate window and back-off for wrong guesses.
    pub throttle: Throttle,
    /// Hints, in definition order.
    pub hints: Vec<Hint>,
    /// What a team sees while it is locked.
    pub locked_view: LockedView,
}

/// A division teams can register in; standings can be filtered by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Its name, as teams register with it.
    pub name: String,
    /// Whether its teams' solves count towards dynamic values and first bloods.
    pub affects_values: bool,
}

/// A validated hunt with dense ids.
///
/// Made only by [`definition::load`](crate::definition::load), which validates it
/// (`#[non_exhaustive]`: no struct literal outside this crate, so every `Hunt` an engine or
/// a [`HuntState`](crate::state::HuntState) gets went through validation).
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Hunt {
    /// The hunt's id.
    pub id: HuntId,
    /// Title.
    pub title: String,
    /// Submissions are open from `start` (inclusive)…
    pub start: Timestamp,
    /// …until `end` (exclusive).
    pub end: Timestamp,
    /// After this instant the public board is frozen.
    pub freeze: Option<Timestamp>,
    /// How teams are ordered.
    pub ranking: RankingOrder,
    /// How tied teams share places.
    pub shared_ranks: SharedRanks,
    /// The final meta, used by [`RankingOrder::PuzzleHunt`].
    pub final_meta: Option<ChallengeId>,
    /// Input limits.
    pub limits: Limits,
    /// When hint costs are charged.
    pub hint_charge: HintCharge,
    /// A rate limit on each team's wrong guesses across all challenges (CTFd: 10 a minute).
    pub team_window: Option<RateWindow>,
    /// The fingerprint of the secret the sealed answers were sealed with, if the definition
    /// records it: a state is only built with that secret.
    pub secret_fingerprint: Option<crate::answer::SealedDigest>,
    /// Declared divisions. Empty: any division name is accepted and every division counts
    /// towards dynamic values.
    pub divisions: Vec<Division>,
    /// Round names, indexed by [`RoundId`].
    pub rounds: Vec<String>,
    /// Challenges, indexed by [`ChallengeId`].
    pub challenges: Vec<Challenge>,
    /// Slug → dense id. Hashed with foldhash: looked up once per event on the hot path.
    pub by_slug: HashMap<String, ChallengeId, foldhash::fast::RandomState>,
}

impl Hunt {
    /// The challenge with this slug.
    pub fn challenge_by_slug(&self, slug: &str) -> Option<&Challenge> {
        self.by_slug
            .get(slug)
            .map(|id| &self.challenges[id.index()])
    }

    /// The challenge with this dense id.
    pub fn challenge(&self, id: ChallengeId) -> &Challenge {
        &self.challenges[id.index()]
    }

    /// The declared division with this name, if divisions are declared. Names are matched
    /// as ids are ([`fold_id`](crate::ids::fold_id): `STUDENTS` is `students`), after
    /// trimming.
    pub fn division(&self, name: &str) -> Option<&Division> {
        let wanted = crate::ids::fold_id(name.trim());
        self.divisions
            .iter()
            .find(|d| crate::ids::fold_id(&d.name) == wanted)
    }

    /// Whether solves by a team of `division` count towards dynamic values and first
    /// bloods. Undeclared divisions (and no division) count.
    pub fn division_affects_values(&self, division: Option<&str>) -> bool {
        division
            .and_then(|d| self.division(d))
            .is_none_or(|d| d.affects_values)
    }
}

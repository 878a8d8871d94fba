//! Per-team derived state: score, solves, guesses and the values the ranking orders use.

use smallvec::SmallVec;

use crate::hunt::{Hunt, RankingOrder};
use crate::ids::ChallengeId;
use crate::standings::SortKey;
use crate::time::Timestamp;

use super::solved::SolvedSet;

/// One solve of a team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Solve {
    /// The challenge solved.
    pub challenge: ChallengeId,
    /// When.
    pub at: Timestamp,
    /// The answer the team submitted, as typed.
    pub answer: String,
    /// Points it earned.
    pub points: i64,
}

/// Distinct wrong guesses of one team at one challenge; a repeat is free.
///
/// Kept as sorted 64-bit fingerprints of the normalized guesses, not the strings (the log has
/// those): 8 bytes a guess and no allocation per guess. Two different guesses with the same
/// fingerprint would make the second one free, which is harmless and, at 64 bits, never
/// happens in practice.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Guesses {
    /// Sorted. Most teams make one or two distinct wrong guesses at a challenge: those live
    /// inline, without an allocation.
    fingerprints: SmallVec<[u64; 2]>,
    /// When each counted guess was made, sorted: the input of the throttle policies. Kept
    /// only for challenges whose throttle looks at time (empty otherwise), which saves an
    /// allocation per team and challenge guessed at on the many that do not.
    times: Vec<Timestamp>,
    /// Extra counted guesses granted by admins.
    extra: u32,
}

impl Guesses {
    /// Counted wrong guesses: every distinct one.
    pub fn counted(&self) -> u32 {
        u32::try_from(self.fingerprints.len()).unwrap_or(u32::MAX)
    }

    /// Whether this normalized guess was made before.
    pub fn contains(&self, guess: &str) -> bool {
        self.fingerprints.binary_search(&fingerprint(guess)).is_ok()
    }

    /// Times of the counted guesses, sorted.
    pub fn times(&self) -> &[Timestamp] {
        &self.times
    }

    /// Extra counted guesses granted by admins.
    pub fn extra(&self) -> u32 {
        self.extra
    }

    /// Whether the fingerprints are strictly increasing and the times sorted, as
    /// [`Guesses::insert`] keeps them.
    pub(crate) fn is_well_formed(&self) -> bool {
        self.fingerprints.is_sorted_by(|a, b| a < b)
            && self.times.is_sorted()
            && (self.times.is_empty() || self.times.len() == self.fingerprints.len())
    }

    /// Records a normalized guess, made at `at` if its time matters; returns whether it is
    /// new.
    pub(crate) fn insert(&mut self, guess: &str, at: Option<Timestamp>) -> bool {
        let print = fingerprint(guess);
        match self.fingerprints.binary_search(&print) {
            Ok(_) => false,
            Err(i) => {
                self.fingerprints.insert(i, print);
                if let Some(at) = at {
                    insert_sorted(&mut self.times, at);
                }
                true
            }
        }
    }

    pub(crate) fn grant(&mut self, extra: u32) {
        self.extra = self.extra.saturating_add(extra);
    }
}

/// Inserts `at` into sorted `times`; log order is nearly time order, so this is a push.
pub(crate) fn insert_sorted(times: &mut Vec<Timestamp>, at: Timestamp) {
    let i = times.partition_point(|t| *t <= at);
    times.insert(i, at);
}

/// A hint a team took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TakenHint {
    /// The challenge.
    pub challenge: ChallengeId,
    /// The hint's index in the challenge's hints.
    pub hint: u32,
    /// When it was taken.
    pub at: Timestamp,
    /// Points charged for it so far (0 until charged, and for free hints).
    pub charged: i64,
}

/// Something that changed a team's score, for its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Item {
    /// A solve, worth the solve's current points.
    Solve(ChallengeId),
    /// An admin adjustment.
    Adjust(i64),
    /// Hint costs charged.
    HintCost(ChallengeId, i64),
}

/// FNV-1a over the guess: fixed, so every process and every replay agrees.
fn fingerprint(guess: &str) -> u64 {
    guess.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Everything derived about one team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamState {
    /// Display name as registered.
    pub name: String,
    /// Division, if any.
    pub division: Option<String>,
    /// Hidden from the standings by an admin.
    pub hidden: bool,
    /// When it registered.
    pub registered_at: Timestamp,
    /// Current score: solves plus adjustments.
    pub score: i64,
    /// The highest score the team has had: score thresholds of unlock rules test it, so an
    /// unlock is never taken back by a penalty, a hint cost or a decaying value (gph-site:
    /// unlocks are never revoked).
    ///
    /// Kept only in hunts with a score-threshold unlock rule, its only reader; 0 elsewhere.
    /// Under retroactive values the peak depends on the order in which solvers were priced,
    /// so a hunt that never reads it lets a bulk replay price each challenge once at the end.
    pub peak_score: i64,
    /// When it reached its score: the latest non-zero, tie-break-eligible scoring item.
    pub reached_at: Option<Timestamp>,
    /// Time of its latest solve.
    pub last_solve_at: Option<Timestamp>,
    /// When it solved the final meta.
    pub final_meta_at: Option<Timestamp>,
    /// Solves, sorted by challenge id.
    pub(crate) solves: Vec<Solve>,
    /// The challenge ids of `solves`: a solve's position without a search. Derived, so not
    /// encoded; a decoded state rebuilds it.
    #[serde(skip)]
    pub(crate) solved: SolvedSet,
    /// Solves per round, indexed by round id.
    pub(crate) round_solves: Vec<u32>,
    /// Wrong guesses per challenge, sorted by challenge id.
    pub(crate) guesses: Vec<(ChallengeId, Guesses)>,
    /// Times of all counted wrong guesses, sorted: the input of the team-wide rate window.
    pub(crate) wrong_times: Vec<Timestamp>,
    /// Hints taken, in log order.
    pub(crate) hints: Vec<TakenHint>,
    /// Index of the team's division in the state's division standings.
    pub(crate) division_index: Option<u32>,
    /// Whether the team's solves count for dynamic values and first bloods (when visible).
    pub(crate) affects_values: bool,
    /// Scoring items in log order, with their times: the timeline's source.
    pub(crate) items: Vec<(Timestamp, Item)>,
}

impl TeamState {
    pub(crate) fn new(
        name: String,
        division: Option<String>,
        at: Timestamp,
        rounds: usize,
    ) -> Self {
        Self {
            name,
            division,
            hidden: false,
            registered_at: at,
            score: 0,
            peak_score: 0,
            reached_at: None,
            last_solve_at: None,
            final_meta_at: None,
            solves: Vec::new(),
            solved: SolvedSet::default(),
            round_solves: vec![0; rounds],
            guesses: Vec::new(),
            wrong_times: Vec::new(),
            hints: Vec::new(),
            division_index: None,
            affects_values: true,
            items: Vec::new(),
        }
    }

    /// Adds `delta` (negative to deduct) to the score, keeping the peak if `keep_peak`.
    pub(crate) fn change_score(&mut self, delta: i64, keep_peak: bool) {
        self.score = self.score.saturating_add(delta);
        if keep_peak {
            self.peak_score = self.peak_score.max(self.score);
        }
    }

    /// Whether the team's solves count towards dynamic values and first bloods now.
    pub fn counts_for_values(&self) -> bool {
        !self.hidden && self.affects_values
    }

    /// Hints the team took, in the order it took them.
    pub fn hints_taken(&self) -> &[TakenHint] {
        &self.hints
    }

    /// Whether the team took hint `hint` of `challenge`.
    pub fn took_hint(&self, challenge: ChallengeId, hint: u32) -> bool {
        self.hints
            .iter()
            .any(|h| h.challenge == challenge && h.hint == hint)
    }

    pub(crate) fn solve_mut(&mut self, challenge: ChallengeId) -> Option<&mut Solve> {
        let i = self.solved.position(challenge)?;
        self.solves.get_mut(i)
    }

    /// The team's solves, in challenge order.
    pub fn solves(&self) -> &[Solve] {
        &self.solves
    }

    /// Number of challenges solved.
    pub fn solve_count(&self) -> usize {
        self.solves.len()
    }

    /// The team's solve of `challenge`, if any.
    pub fn solve_of(&self, challenge: ChallengeId) -> Option<&Solve> {
        let i = self.solved.position(challenge)?;
        self.solves.get(i)
    }

    /// Whether the team solved `challenge`.
    pub fn has_solved(&self, challenge: ChallengeId) -> bool {
        self.solved.contains(challenge)
    }

    /// Solves in one round.
    pub fn solves_in_round(&self, round: crate::ids::RoundId) -> u32 {
        self.round_solves.get(round.index()).copied().unwrap_or(0)
    }

    /// The team's wrong guesses at `challenge`.
    pub fn guesses_at(&self, challenge: ChallengeId) -> Option<&Guesses> {
        self.guesses
            .binary_search_by_key(&challenge, |(c, _)| *c)
            .ok()
            .map(|i| &self.guesses[i].1)
    }

    pub(crate) fn guesses_mut(&mut self, challenge: ChallengeId) -> &mut Guesses {
        let i = match self.guesses.binary_search_by_key(&challenge, |(c, _)| *c) {
            Ok(i) => i,
            Err(i) => {
                self.guesses.insert(i, (challenge, Guesses::default()));
                i
            }
        };
        &mut self.guesses[i].1
    }

    /// Records a solve; returns false (and changes nothing) if it was already solved.
    pub(crate) fn add_solve(&mut self, solve: Solve) -> bool {
        if self.solved.contains(solve.challenge) {
            return false;
        }
        let i = self.solved.below(solve.challenge);
        self.solved.insert(solve.challenge);
        self.solves.insert(i, solve);
        true
    }

    /// Moves the tie-break time to `at` (never backwards: items may arrive out of time order).
    pub(crate) fn touch_reached(&mut self, at: Timestamp) {
        self.reached_at = Some(self.reached_at.map_or(at, |t| t.max(at)));
    }

    /// The team's key in the ranking order of `hunt`: smaller ranks higher.
    pub fn sort_key(&self, order: RankingOrder) -> SortKey {
        const NEVER: i64 = i64::MAX;
        match order {
            RankingOrder::PuzzleHunt => SortKey([
                self.final_meta_at.map_or(NEVER, Timestamp::as_millis),
                -(self.solves.len() as i64),
                self.last_solve_at.unwrap_or(self.registered_at).as_millis(),
            ]),
            // `Points` and any order added later default to score first.
            _ => SortKey([
                self.score.saturating_neg(),
                self.reached_at.map_or(NEVER, Timestamp::as_millis),
                0,
            ]),
        }
    }

    /// Counted wrong guesses left at `challenge` of `hunt` at `now`, if it caps them.
    pub fn attempts_left(
        &self,
        hunt: &Hunt,
        challenge: ChallengeId,
        now: Timestamp,
    ) -> Option<u32> {
        let throttle = &hunt.challenge(challenge).throttle;
        // Most challenges have no cap: skip looking the guesses up.
        throttle.max_attempts?;
        let guesses = self.guesses_at(challenge);
        throttle.attempts_left(
            guesses.map_or(0, Guesses::counted),
            guesses.map_or(&[], Guesses::times),
            guesses.map_or(0, Guesses::extra),
            now,
        )
    }

    /// Why the team may not guess at `challenge` at `now`, if it may not: the challenge's
    /// throttle and the hunt's team-wide rate window, whichever is later.
    pub fn throttled(
        &self,
        hunt: &Hunt,
        challenge: ChallengeId,
        now: Timestamp,
    ) -> Option<crate::throttle::Refusal> {
        use crate::throttle::Refusal;
        let guesses = self.guesses_at(challenge);
        let own = hunt.challenge(challenge).throttle.check(
            guesses.map_or(0, Guesses::counted),
            guesses.map_or(&[], Guesses::times),
            guesses.map_or(0, Guesses::extra),
            now,
        );
        let team = hunt
            .team_window
            .and_then(|w| w.retry_at(&self.wrong_times, now));
        match (own, team) {
            (Some(Refusal::Exhausted), _) => Some(Refusal::Exhausted),
            (Some(Refusal::Until(a)), Some(b)) => Some(Refusal::Until(a.max(b))),
            (Some(r), None) => Some(r),
            (None, t) => t.map(Refusal::Until),
        }
    }
}

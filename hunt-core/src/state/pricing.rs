//! Repricing: keeping every solve's points equal to its challenge's scoring rule applied to
//! the current solver list, touching only the teams whose points changed.
//!
//! A new solve, or a team hidden, shown again, changes one challenge's solver list (or, when
//! the most-solved count moves, every rCTF challenge's inputs). Retroactively every solver
//! of a challenge holds one shared value, so it is computed first: a new solve that leaves
//! it unchanged prices the new solver alone, O(1); one that changes it prices every solver
//! again, O(changed solvers), and marks the teams whose score changed for re-ranking at the
//! next read (see `state::ranking`: moved one by one then, or re-sorted when that is
//! cheaper). Static and capture-time values never change
//! for earlier solvers of an appended solve.
//!
//! Inside a bulk application (see [`HuntState::bulk`]) a challenge whose value changed is
//! only marked stale and priced once when the application ends.

use crate::ids::{ChallengeId, TeamId};
use crate::scoring::ValueMode;

use super::HuntState;

/// How many solvers ahead [`HuntState::reprice`] reads a team, and then its solve: far
/// enough for the miss to complete before the solver's turn, near enough to stay cached.
const TEAM_AHEAD: usize = 16;
const SOLVE_AHEAD: usize = 8;

impl HuntState {
    /// Prices every solver of `challenge` again and marks the teams whose score changed.
    ///
    /// O(solvers), one visit of each solver's team and solve (reached through the team's
    /// [`SolvedSet`](super::solved::SolvedSet), without a search): on a large event this walk
    /// is most of what a dynamic value change costs.
    pub(crate) fn reprice(&mut self, challenge: ChallengeId) {
        let hunt = self.hunt.clone();
        let scoring = &hunt.challenge(challenge).scoring;
        let stats = &self.stats[challenge.index()];
        let teams = &mut self.teams;
        let total = stats.counted;
        let keep_peak = self.tracks_peak;
        let marks = !self.deferred;
        let team_count = teams.len();
        // Retroactively every solver holds the same value: compute it once.
        let shared = (scoring.mode != ValueMode::CaptureTime)
            .then(|| scoring.value_at(0, total, self.max_solves));
        let mut before = 0;
        let solvers = &stats.solvers;
        // Every solver is a cache miss on its team and another on its solve, the second
        // waiting for the first. Reading the solvers a little ahead (team first, then solve)
        // starts those misses early and lets several overlap; `touched` keeps the reads.
        let mut touched = 0i64;
        for (i, solver) in solvers.iter().enumerate() {
            if let Some(ahead) = solvers.get(i + TEAM_AHEAD) {
                touched ^= teams[ahead.team.index()].score;
            }
            if let Some(ahead) = solvers.get(i + SOLVE_AHEAD)
                && let Some(solve) = teams[ahead.team.index()].solve_of(challenge)
            {
                touched ^= solve.points;
            }
            let value = shared.unwrap_or_else(|| scoring.value_at(before, total, self.max_solves));
            let points = value.saturating_add(scoring.bonus(value, before, solver.counted));
            before += u32::from(solver.counted);
            let team = &mut teams[solver.team.index()];
            let Some(solve) = team.solve_mut(challenge) else {
                continue;
            };
            let delta = points - solve.points;
            if delta != 0 {
                solve.points = points;
                team.change_score(delta, keep_peak);
                if marks {
                    self.ranking.mark(solver.team, team_count);
                }
            }
        }
        std::hint::black_box(touched);
    }

    /// Records `team` as the newest solver of `challenge` and prices everyone again who
    /// needs it. The team's solve must already be in its state, at 0 points.
    pub(crate) fn add_solver(&mut self, challenge: ChallengeId, team: TeamId) {
        let counted = self.teams[team.index()].counts_for_values();
        let Some(before) = self.push_solver(challenge, team, counted) else {
            return;
        };
        let scoring = &self.hunt.challenge(challenge).scoring;
        let points = scoring.points(
            before,
            counted,
            self.stats[challenge.index()].counted,
            self.max_solves,
        );
        let keep_peak = self.tracks_peak;
        let state = &mut self.teams[team.index()];
        if let Some(solve) = state.solve_mut(challenge) {
            let delta = points - solve.points;
            solve.points = points;
            state.change_score(delta, keep_peak);
        }
    }

    /// Appends `team` (whose solve counts if `counted`) to the solvers of `challenge` and
    /// reprices (or marks) every challenge whose earlier solvers' points moved, this one
    /// included. Returns the number of counted solvers before the new one if the earlier
    /// solvers kept their points, so that only the new solver is left to price; `None` if
    /// the challenge was repriced (or marked) as a whole.
    pub(crate) fn push_solver(
        &mut self,
        challenge: ChallengeId,
        team: TeamId,
        counted: bool,
    ) -> Option<u32> {
        let old_max = self.max_solves;
        let stats = &mut self.stats[challenge.index()];
        let before = stats.counted;
        stats.solvers.push(super::Solver { team, counted });
        stats.counted += u32::from(counted);
        let total = stats.counted;
        if self.update_max_solves(challenge) {
            self.reprice_dependents(challenge, old_max);
        }
        // Earlier solvers keep their points unless they all hold a shared value that moved:
        // their bonuses depend on their own positions, which an appended solver leaves alone.
        let scoring = &self.hunt.challenge(challenge).scoring;
        let earlier_unchanged = !scoring.rule.is_dynamic()
            || scoring.mode == ValueMode::CaptureTime
            || scoring.value_at(0, before, old_max) == scoring.value_at(0, total, self.max_solves);
        if earlier_unchanged {
            Some(before)
        } else {
            self.reprice_or_mark(challenge);
            None
        }
    }

    /// Counts or stops counting every solve of `team`, after it was hidden or shown.
    pub(crate) fn recount_team(&mut self, team: TeamId) {
        let counted = self.teams[team.index()].counts_for_values();
        let solved: Vec<ChallengeId> = self.teams[team.index()]
            .solves
            .iter()
            .map(|s| s.challenge)
            .collect();
        for challenge in solved {
            let old_max = self.max_solves;
            let stats = &mut self.stats[challenge.index()];
            let Some(solver) = stats.solvers.iter_mut().find(|s| s.team == team) else {
                continue;
            };
            if solver.counted == counted {
                continue;
            }
            solver.counted = counted;
            if counted {
                stats.counted += 1;
            } else {
                stats.counted -= 1;
            }
            if self.update_max_solves(challenge) {
                self.reprice_dependents(challenge, old_max);
            }
            // The positions of later solvers moved: bonuses and capture-time values with them.
            self.reprice_or_mark(challenge);
        }
    }

    /// Reprices `challenge` now, or marks it for the end of the bulk application.
    fn reprice_or_mark(&mut self, challenge: ChallengeId) {
        if self.pricing_deferred() {
            self.stale[challenge.index()] = true;
        } else {
            self.reprice(challenge);
        }
    }

    /// Reprices every challenge other than `except` whose value depends on the most-solved
    /// count and changed with it, the count having been `old_max`.
    fn reprice_dependents(&mut self, except: ChallengeId, old_max: u32) {
        let hunt = self.hunt.clone();
        for c in &hunt.challenges {
            if c.id == except || !c.scoring.rule.depends_on_max_solves() {
                continue;
            }
            let counted = self.stats[c.id.index()].counted;
            // Retroactively every solver holds this one value (validation refuses
            // capture-time rCTF, which would be priced in full).
            if c.scoring.mode == ValueMode::CaptureTime
                || c.scoring.value_at(0, counted, old_max)
                    != c.scoring.value_at(0, counted, self.max_solves)
            {
                self.reprice_or_mark(c.id);
            }
        }
    }

    /// Updates the most-solved count after `challenge`'s count changed by at most one (every
    /// caller adds or removes one solver); returns whether it moved in a way that reprices
    /// some challenge (only rCTF values depend on it).
    fn update_max_solves(&mut self, challenge: ChallengeId) -> bool {
        let count = self.stats[challenge.index()].counted;
        let max = if count + 1 >= self.max_solves {
            // The count moved by one: the maximum is this count, or it was this challenge's
            // and fell by one, or another challenge holds it; only then is a scan needed.
            if count >= self.max_solves {
                count
            } else {
                self.stats.iter().map(|s| s.counted).max().unwrap_or(0)
            }
        } else {
            // Far below the maximum: moving by one cannot change it.
            self.max_solves
        };
        let moved = max != self.max_solves;
        self.max_solves = max;
        moved
            && self
                .hunt
                .challenges
                .iter()
                .any(|c| c.scoring.rule.depends_on_max_solves())
    }
}

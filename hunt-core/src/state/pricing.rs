//! Repricing: keeping every solve's points equal to its challenge's scoring rule applied to
//! the current solver list, touching only the teams whose points changed.
//!
//! A new solve, or a team hidden, shown again, changes one challenge's solver list (or, when
//! the most-solved count moves, every rCTF challenge's inputs). Each affected solver is
//! priced again; a team whose points changed is re-ranked, O(log n) each. Nothing is ever
//! recomputed from scratch.

use crate::ids::{ChallengeId, TeamId};
use crate::scoring::ValueMode;

use super::HuntState;

impl HuntState {
    /// Prices every solver of `challenge` again and re-ranks the teams whose score changed.
    pub(crate) fn reprice(&mut self, challenge: ChallengeId) {
        let hunt = self.hunt.clone();
        let scoring = &hunt.challenge(challenge).scoring;
        let stats = &self.stats[challenge.index()];
        let teams = &mut self.teams;
        let total = stats.counted;
        // Retroactively every solver holds the same value: compute it once.
        let shared = (scoring.mode != ValueMode::CaptureTime)
            .then(|| scoring.value_at(0, total, self.max_solves));
        let mut before = 0;
        let mut changed = Vec::new();
        for solver in &stats.solvers {
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
                team.change_score(delta);
                changed.push(solver.team);
            }
        }
        for team in changed {
            self.rerank(team);
        }
    }

    /// Records `team` as the newest solver of `challenge` and prices everyone again who
    /// needs it. The team's solve must already be in its state, at 0 points.
    pub(crate) fn add_solver(&mut self, challenge: ChallengeId, team: TeamId) {
        let counted = self.teams[team.index()].counts_for_values();
        let stats = &mut self.stats[challenge.index()];
        stats.solvers.push(super::Solver { team, counted });
        stats.counted += u32::from(counted);
        let total = stats.counted;
        let hunt = self.hunt.clone();
        let scoring = &hunt.challenge(challenge).scoring;
        let values_fixed =
            !scoring.rule.is_dynamic() || scoring.mode == crate::scoring::ValueMode::CaptureTime;
        let moved = self.update_max_solves(challenge);
        if values_fixed && !moved {
            // Appending a solver changes no earlier solver's points: price the new one only.
            let before = total - u32::from(counted);
            let points = scoring.points(before, counted, total, self.max_solves);
            let state = &mut self.teams[team.index()];
            if let Some(solve) = state.solve_mut(challenge) {
                let delta = points - solve.points;
                solve.points = points;
                state.change_score(delta);
            }
            return;
        }
        self.reprice_after(challenge, moved);
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
            let moved = self.update_max_solves(challenge);
            self.reprice_after(challenge, moved);
        }
    }

    /// Reprices `challenge` after its counted solves changed, and every challenge that
    /// depends on the most-solved count if that `moved`.
    fn reprice_after(&mut self, challenge: ChallengeId, moved: bool) {
        if moved {
            let hunt = self.hunt.clone();
            for c in &hunt.challenges {
                if c.id != challenge && c.scoring.rule.depends_on_max_solves() {
                    self.reprice(c.id);
                }
            }
        }
        self.reprice(challenge);
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

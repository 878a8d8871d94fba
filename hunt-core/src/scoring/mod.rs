//! Scoring rules: what a solve is worth, chosen per hunt and overridable per challenge.
//!
//! A solve's points are a pure function of the challenge's ordered list of solvers: which of
//! them count (visible teams in divisions that affect values), the solver's position among
//! those, and, for rCTF, the most-solved challenge's count. So hiding a team, un-hiding it or
//! a new solve reprices exactly the solvers whose inputs changed, and a replay of the log
//! always gives the same points.

mod value;

pub use value::ValueRule;

use serde::{Deserialize, Serialize};

/// Which solve count a solver's value is taken at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ValueMode {
    /// Every solver holds the challenge's current value (CTFd, rCTF): a new solve lowers the
    /// score of every earlier solver.
    #[default]
    Retroactive,
    /// Each solver keeps the value at its own solve (RootTheBox's `decay_future`): the k-th
    /// counted solver is priced at `n = k`.
    CaptureTime,
}

/// The scoring of one challenge: its value rule, mode and first-blood bonuses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scoring {
    /// How the value follows the solve count.
    pub rule: ValueRule,
    /// Which solve count each solver is priced at.
    pub mode: ValueMode,
    /// Bonus in percent of the value for the first, second, … counted solver (GZCTF uses
    /// `[5, 3, 1]`); empty for none.
    pub first_blood: Vec<u32>,
}

impl Scoring {
    /// Static points, no bonus.
    pub fn fixed(points: i64) -> Self {
        Self {
            rule: ValueRule::Static { points },
            ..Self::default()
        }
    }

    /// The points of one solver.
    ///
    /// `counted_before` is the number of counted solves before this one in log order,
    /// `counted` whether this solve counts itself, `total` the challenge's counted solves and
    /// `max_solves` the most-solved challenge's count. Retroactively every solver holds the
    /// value at `total`; at capture time a solver holds the value at its own position, and a
    /// solve that does not count is priced as if it were the next counted one. Only counted
    /// solves get first-blood bonuses.
    pub fn points(&self, counted_before: u32, counted: bool, total: u32, max_solves: u32) -> i64 {
        let value = self.value_at(counted_before, total, max_solves);
        value.saturating_add(self.bonus(value, counted_before, counted))
    }

    /// The value (before any bonus) of a solver with `counted_before` counted solves before
    /// it; the same for every solver when retroactive.
    pub fn value_at(&self, counted_before: u32, total: u32, max_solves: u32) -> i64 {
        let n = match self.mode {
            ValueMode::CaptureTime => counted_before + 1,
            _ => total,
        };
        self.rule.value(n, max_solves)
    }

    /// The first-blood bonus on `value` of a solver with `counted_before` counted solves
    /// before it, if its own solve counts.
    pub fn bonus(&self, value: i64, counted_before: u32, counted: bool) -> i64 {
        counted
            .then(|| self.first_blood.get(counted_before as usize))
            .flatten()
            .map_or(0, |percent| value.saturating_mul(i64::from(*percent)) / 100)
    }

    /// What the next counted solver would get right now: the value shown on the challenge.
    pub fn next_points(&self, total: u32, max_solves: u32) -> i64 {
        let max_solves = max_solves.max(total + 1);
        self.points(total, true, total + 1, max_solves)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(mode: ValueMode, first_blood: Vec<u32>) -> Scoring {
        Scoring {
            rule: ValueRule::CtfdLinear {
                initial: 500,
                minimum: 100,
                decay: 100,
            },
            mode,
            first_blood,
        }
    }

    #[test]
    fn retroactive_solvers_all_hold_the_current_value() {
        let s = linear(ValueMode::Retroactive, vec![]);
        // Three counted solves: everyone holds value(3) = 300.
        assert_eq!(
            [
                s.points(0, true, 3, 3),
                s.points(1, true, 3, 3),
                s.points(2, true, 3, 3)
            ],
            [300, 300, 300]
        );
    }

    #[test]
    fn capture_time_solvers_keep_the_value_at_their_solve() {
        let s = linear(ValueMode::CaptureTime, vec![]);
        assert_eq!(
            [
                s.points(0, true, 3, 3),
                s.points(1, true, 3, 3),
                s.points(2, true, 3, 3)
            ],
            [500, 400, 300]
        );
    }

    #[test]
    fn first_blood_goes_to_the_first_counted_solvers_in_percent_of_the_value() {
        let s = Scoring {
            first_blood: vec![5, 3, 1],
            ..Scoring::fixed(1000)
        };
        let got: Vec<i64> = (0..4).map(|i| s.points(i, true, 4, 4)).collect();
        assert_eq!(got, [1050, 1030, 1010, 1000]);
        // A hidden solver gets no bonus and takes no place.
        assert_eq!(s.points(0, false, 0, 0), 1000);
    }

    #[test]
    fn the_shown_value_is_what_the_next_solver_gets() {
        let s = linear(ValueMode::Retroactive, vec![]);
        assert_eq!(s.next_points(0, 0), 500);
        assert_eq!(s.next_points(2, 2), 300);
    }
}

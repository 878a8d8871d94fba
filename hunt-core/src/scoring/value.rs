//! Challenge value rules: static points and the dynamic formulas of CTFd, rCTF and GZCTF.
//!
//! Every formula is a pure function of solve counts. `n` is the number of solves that count
//! (hidden teams and divisions that do not affect values are left out); which `n` a solver
//! is priced at depends on the [`ValueMode`](super::ValueMode).

use serde::{Deserialize, Serialize};

/// How a challenge's value follows its solve count.
///
/// The dynamic rules use floating point only inside the formula and round once at the end,
/// as the reference implementations do, so values are integers everywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ValueRule {
    /// The same points for every solver.
    Static {
        /// Points.
        points: i64,
    },
    /// CTFd linear decay: `ceil(initial - decay * max(n - 1, 0))`, floored at `minimum`.
    CtfdLinear {
        /// Value before (and at) the first solve.
        initial: i64,
        /// Floor.
        minimum: i64,
        /// Points lost per solve after the first.
        decay: i64,
    },
    /// CTFd "logarithmic" decay, really a parabola reaching `minimum` at `decay + 1` solves:
    /// `ceil((minimum - initial) / decay² * max(n - 1, 0)² + initial)`, floored at `minimum`.
    CtfdLog {
        /// Value before (and at) the first solve.
        initial: i64,
        /// Floor.
        minimum: i64,
        /// Solves (after the first) until the floor; 0 is taken as 1.
        decay: i64,
    },
    /// rCTF: a tanh curve in `n` relative to the solve count of the most-solved challenge of
    /// the whole hunt, so a solve of one challenge can reprice every other one.
    Rctf {
        /// Value with no solves.
        max: i64,
        /// Value approached by the most-solved challenge.
        min: i64,
    },
    /// GZCTF: `original` for `n <= 1`, else
    /// `floor(original * (min_ratio + (1 - min_ratio) * exp((1 - n) / difficulty)))`.
    Gzctf {
        /// Value of the first solve.
        original: i64,
        /// Fraction of `original` approached with many solves, in `[0, 1]`.
        min_ratio: f64,
        /// How slowly the value falls; positive.
        difficulty: f64,
    },
}

impl Default for ValueRule {
    fn default() -> Self {
        ValueRule::Static { points: 0 }
    }
}

impl ValueRule {
    /// The value at `n` counted solves, where `max_solves` is the solve count of the
    /// most-solved challenge of the hunt (used by [`ValueRule::Rctf`] only).
    pub fn value(&self, n: u32, max_solves: u32) -> i64 {
        let solves_after_first = f64::from(n.saturating_sub(1));
        match *self {
            ValueRule::Static { points } => points,
            ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            } => {
                let value = (initial as f64 - decay as f64 * solves_after_first).ceil();
                (value as i64).max(minimum)
            }
            ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            } => {
                let decay = if decay == 0 { 1.0 } else { decay as f64 };
                let value = ((minimum - initial) as f64 / (decay * decay)
                    * solves_after_first
                    * solves_after_first
                    + initial as f64)
                    .ceil();
                (value as i64).max(minimum)
            }
            ValueRule::Rctf { max, min } => rctf(max, min, n, max_solves),
            ValueRule::Gzctf {
                original,
                min_ratio,
                difficulty,
            } => {
                if n <= 1 {
                    return original;
                }
                let factor =
                    min_ratio + (1.0 - min_ratio) * ((1.0 - f64::from(n)) / difficulty).exp();
                (original as f64 * factor).floor() as i64
            }
        }
    }

    /// The value before anyone solved it: what a team sees on an unsolved challenge.
    pub fn initial(&self) -> i64 {
        self.value(0, 0)
    }

    /// Whether the value depends on solve counts at all.
    pub fn is_dynamic(&self) -> bool {
        !matches!(self, ValueRule::Static { .. })
    }

    /// Whether the value depends on other challenges' solve counts (rCTF's most-solved).
    pub fn depends_on_max_solves(&self) -> bool {
        matches!(self, ValueRule::Rctf { .. })
    }
}

/// rCTF's curve (`server/util/scores.ts`): `b(x)` falls from 1 at `x = 0` to 0 at `x = 1`.
fn rctf(max: i64, min: i64, n: u32, max_solves: u32) -> i64 {
    const P0: f64 = 0.7;
    const P1: f64 = 0.96;
    let c0 = -P0.atanh();
    let c1 = P1.atanh();
    let a = |x: f64| (1.0 - x.tanh()) / 2.0;
    let b = |x: f64| (a((c1 - c0) * x + c0) - a(c1)) / (a(c0) - a(c1));
    let s = f64::from(max_solves.max(1));
    let f = |x: f64| min as f64 + (max - min) as f64 * b(x / s);
    f(f64::from(n)).max(f(s)).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(rule: ValueRule, solvers: std::ops::RangeInclusive<u32>) -> Vec<i64> {
        solvers.map(|n| rule.value(n, 0)).collect()
    }

    #[test]
    fn ctfd_log_matches_the_reference_example() {
        // REFERENCE.md: initial 500, minimum 100, decay 20: the 11th solver sees 400, the
        // 21st and later 100.
        let rule = ValueRule::CtfdLog {
            initial: 500,
            minimum: 100,
            decay: 20,
        };
        assert_eq!(rule.value(1, 0), 500);
        assert_eq!(rule.value(11, 0), 400);
        assert_eq!(rule.value(21, 0), 100);
        assert_eq!(rule.value(500, 0), 100);
        // ceil((100 - 500) / 400 * 4 + 500) = 496 at the third solve.
        assert_eq!(rule.value(3, 0), 496);
    }

    #[test]
    fn ctfd_log_takes_a_zero_decay_as_one() {
        let rule = ValueRule::CtfdLog {
            initial: 500,
            minimum: 100,
            decay: 0,
        };
        assert_eq!(values(rule, 0..=3), [500, 500, 100, 100]);
    }

    #[test]
    fn ctfd_linear_decays_per_solve_after_the_first_down_to_the_minimum() {
        let rule = ValueRule::CtfdLinear {
            initial: 500,
            minimum: 100,
            decay: 20,
        };
        assert_eq!(values(rule, 0..=3), [500, 500, 480, 460]);
        assert_eq!(rule.value(21, 0), 100);
        assert_eq!(rule.value(1_000, 0), 100);
    }

    #[test]
    fn gzctf_uses_its_defaults_as_in_the_reference() {
        let rule = ValueRule::Gzctf {
            original: 1000,
            min_ratio: 0.25,
            difficulty: 5.0,
        };
        assert_eq!(rule.value(0, 0), 1000);
        assert_eq!(rule.value(1, 0), 1000);
        // floor(1000 * (0.25 + 0.75 * e^(-1/5))) = floor(864.05…)
        assert_eq!(rule.value(2, 0), 864);
        // floor(1000 * (0.25 + 0.75 * e^(-2))) = floor(351.50…)
        assert_eq!(rule.value(11, 0), 351);
        assert!(rule.value(10_000, 0) >= 250);
    }

    #[test]
    fn rctf_is_max_with_no_solves_and_min_at_the_most_solved() {
        let rule = ValueRule::Rctf { max: 500, min: 100 };
        assert_eq!(rule.value(0, 10), 500);
        assert_eq!(rule.value(10, 10), 100);
        // Never below the value at the most-solved count.
        assert_eq!(rule.value(20, 10), 100);
        // Falls monotonically in between.
        let curve: Vec<i64> = (0..=10).map(|n| rule.value(n, 10)).collect();
        assert!(curve.windows(2).all(|w| w[0] >= w[1]), "{curve:?}");
        // Half-way: min + (max - min) * b(0.5) = 100 + 400 * 0.2816… = 212.66 → 213.
        assert_eq!(rule.value(5, 10), 213);
    }

    #[test]
    fn rctf_reprices_when_the_most_solved_count_grows() {
        let rule = ValueRule::Rctf { max: 500, min: 100 };
        assert!(rule.value(5, 10) < rule.value(5, 100));
        // With no solves anywhere, S is taken as 1.
        assert_eq!(rule.value(1, 0), 100);
    }

    #[test]
    fn static_points_ignore_solves() {
        let rule = ValueRule::Static { points: 42 };
        assert_eq!(values(rule, 0..=3), [42, 42, 42, 42]);
        assert!(!rule.is_dynamic());
    }
}

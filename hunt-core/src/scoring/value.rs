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
    ///
    /// Each dynamic rule is evaluated in exactly the order, and with exactly the roundings,
    /// of its platform's source, so the last bit of an intermediate result (which `ceil` or
    /// `floor` can turn into a whole point) is the platform's: CTFd's Python integers and
    /// floats, rCTF's JavaScript numbers, GZCTF's C# `int` and `double`.
    pub fn value(&self, n: u32, max_solves: u32) -> i64 {
        match *self {
            ValueRule::Static { points } => points,
            ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            } => ctfd_linear(initial, minimum, decay, n),
            ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            } => ctfd_log(initial, minimum, decay, n),
            ValueRule::Rctf { max, min } => rctf(max, min, n, max_solves),
            ValueRule::Gzctf {
                original,
                min_ratio,
                difficulty,
            } => gzctf(original, min_ratio, difficulty, n),
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

/// CTFd's `solve_count` as `decay.py` uses it: one less than the solves, except with none.
fn ctfd_solve_count(n: u32) -> u64 {
    u64::from(n.saturating_sub(1))
}

/// CTFd `decay.py`, `linear`: `value = challenge.initial - (challenge.decay * solve_count)`,
/// then `math.ceil`, then the minimum. Every operand is a Python `int` (CTFd's columns are
/// integers), so the arithmetic is exact: here in `i128`, which holds every product of an
/// `i64` and a `u32`.
fn ctfd_linear(initial: i64, minimum: i64, decay: i64, n: u32) -> i64 {
    let solve_count = i128::from(ctfd_solve_count(n));
    let value = i128::from(initial) - i128::from(decay) * solve_count;
    // `math.ceil` of an int is the int; the result is at least the minimum, an `i64`, and at
    // most `initial` plus `|decay| * solve_count`, which only a negative decay reaches.
    i64::try_from(value.max(i128::from(minimum))).unwrap_or(i64::MAX)
}

/// CTFd `decay.py`, `logarithmic`: `value = (((challenge.minimum - challenge.initial) /
/// (challenge.decay ** 2)) * (solve_count ** 2)) + challenge.initial`, then `math.ceil`, then
/// the minimum; a decay of 0 is taken as 1.
///
/// In Python, `minimum - initial`, `decay ** 2` and `solve_count ** 2` are exact integers;
/// `/` is true division, the exact quotient rounded once to a float; `* (solve_count ** 2)`
/// rounds the integer to a float, then the product; `+ initial` rounds the sum. The order
/// matters: `x / d² * s * s` (rounding two products) differs from `(x / d²) * (s²)` in the
/// last bit, which `ceil` turns into a point wherever the exact value is a whole number
/// (initial 500, minimum 100, decay 3: the 4th solver gets 100, not 101).
fn ctfd_log(initial: i64, minimum: i64, decay: i64, n: u32) -> i64 {
    let solve_count = ctfd_solve_count(n);
    let decay = if decay == 0 { 1 } else { i128::from(decay) };
    let quotient = python_true_divide(i128::from(minimum) - i128::from(initial), decay * decay);
    // `solve_count ** 2` is below 2^64; `as f64` rounds it to nearest, ties to even, as
    // Python's int-to-float conversion does.
    let value = quotient * ((solve_count * solve_count) as f64) + initial as f64;
    // `math.ceil` gives an exact, unbounded int; whatever is below the minimum becomes the
    // minimum, so saturating at `i64::MIN` changes nothing.
    (value.ceil() as i64).max(minimum)
}

/// Python's `int / int`: the exact quotient rounded once to the nearest float, ties to even.
///
/// When both operands are exactly representable (at most 2^53 in magnitude) that is one
/// float division, as CPython does it; otherwise (a CTFd decay above 94,906,265 squares past
/// 2^53) the quotient is computed exactly and rounded once, as CPython's `long_true_divide`
/// does, and not by dividing two rounded floats.
pub(crate) fn python_true_divide(numerator: i128, denominator: i128) -> f64 {
    const EXACT: u128 = 1 << f64::MANTISSA_DIGITS;
    let negative = (numerator < 0) != (denominator < 0);
    let (a, b) = (numerator.unsigned_abs(), denominator.unsigned_abs());
    let magnitude = if a <= EXACT && b <= EXACT {
        a as f64 / b as f64
    } else {
        rounded_quotient(a, b)
    };
    if negative { -magnitude } else { magnitude }
}

/// `a / b` rounded to the nearest `f64`, ties to even, for `a, b < 2^126`, `b > 0`.
fn rounded_quotient(a: u128, b: u128) -> f64 {
    const MANTISSA: u32 = f64::MANTISSA_DIGITS;
    let bits = |x: u128| 128 - x.leading_zeros();
    if a == 0 || b == 0 {
        return a as f64 / b as f64;
    }
    // Long division, one bit at a time so nothing overflows (`r < b < 2^126`), until the
    // quotient has two bits more than the mantissa: `a / b = (q + r / b) / 2^scale`.
    let (mut q, mut r, mut scale) = (a / b, a % b, 0i32);
    while bits(q) < MANTISSA + 2 {
        r <<= 1;
        q <<= 1;
        if r >= b {
            r -= b;
            q |= 1;
        }
        scale += 1;
    }
    let extra = bits(q) - MANTISSA;
    let mut mantissa = q >> extra;
    let dropped = q & ((1 << extra) - 1);
    let half = 1 << (extra - 1);
    if dropped > half || (dropped == half && (r != 0 || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    // `mantissa` has at most 54 bits (2^53 after rounding up) and the power of two is exact:
    // the product is exact too.
    mantissa as f64 * 2f64.powi(extra as i32 - scale)
}

/// rCTF's curve (`server/util/scores.ts`), in JavaScript numbers (`f64`) and in its order:
/// `b(x)` falls from 1 at `x = 0` to 0 at `x = 1`; `f(x) = rl + (rh - rl) * b(x / s)` with
/// `s = Math.max(1, maxSolves)`; the value is `Math.round(Math.max(f(solves), f(s)))`.
fn rctf(max: i64, min: i64, n: u32, max_solves: u32) -> i64 {
    const P0: f64 = 0.7;
    const P1: f64 = 0.96;
    let c0 = -P0.atanh();
    let c1 = P1.atanh();
    let a = |x: f64| (1.0 - x.tanh()) / 2.0;
    let b = |x: f64| (a((c1 - c0) * x + c0) - a(c1)) / (a(c0) - a(c1));
    let (rl, rh) = (min as f64, max as f64);
    let s = f64::from(max_solves).max(1.0);
    let f = |x: f64| rl + (rh - rl) * b(x / s);
    js_round(f(f64::from(n)).max(f(s))) as i64
}

/// JavaScript's `Math.round`: to the nearest integer, halves towards +∞ (`f64::round` takes
/// halves away from zero, which differs for negative halves).
fn js_round(x: f64) -> f64 {
    let rounded = x.round();
    if rounded - x == -0.5 {
        rounded + 1.0
    } else {
        rounded
    }
}

/// GZCTF (`GameChallenge.CalculateChallengeScore`), in C# `int` and `double` and in its
/// order: `originalScore` for `acceptedCount <= 1`, else `(int)Math.Floor(originalScore *
/// (minScoreRate + (1.0 - minScoreRate) * Math.Exp((1 - acceptedCount) / difficulty)))`, where
/// `1 - acceptedCount` is integer arithmetic converted to `double` for the division.
fn gzctf(original: i64, min_ratio: f64, difficulty: f64, n: u32) -> i64 {
    if n <= 1 {
        return original;
    }
    let exponent = (1 - i64::from(n)) as f64 / difficulty;
    let factor = min_ratio + (1.0 - min_ratio) * exponent.exp();
    (original as f64 * factor).floor() as i64
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
    fn ctfd_log_multiplies_by_the_squared_solve_count_as_ctfd_does() {
        // Issue 13: `(100 - 500) / 9 * 3 * 3 + 500` is 100.00000000000006 (ceil: 101), but
        // CTFd's `((100 - 500) / 9) * 9 + 500` is exactly 100.
        let rule = ValueRule::CtfdLog {
            initial: 500,
            minimum: 100,
            decay: 3,
        };
        assert_eq!(values(rule, 1..=4), [500, 456, 323, 100]);
    }

    #[test]
    fn python_true_division_is_rounded_once_like_cpython() {
        // (numerator, denominator, the bits of CPython's `numerator / denominator`).
        let cases: [(i128, i128, u64); 7] = [
            (-400, 999_999_999 * 999_999_999, 0xbcbc_d2b2_98d0_2044),
            (
                -999_999_999,
                999_999_998 * 999_999_998,
                0xbe11_2e0b_e904_32fb,
            ),
            // Dividing the rounded floats gives ...705, one bit off.
            (-1, 94_906_267 * 94_906_267, 0xbc9f_ffff_f06f_682f),
            (-123_456_789, 3i128.pow(40), 0xbda6_548e_b813_503b),
            ((1 << 60) + 1, 3, 0x4395_5555_5555_5555),
            (-((1 << 53) + 1), 1, 0xc340_0000_0000_0000),
            (7, (1 << 54) + 1, 0x3cbc_0000_0000_0000),
        ];
        for (a, b, bits) in cases {
            assert_eq!(
                python_true_divide(a, b).to_bits(),
                bits,
                "{a} / {b}: {} vs {}",
                python_true_divide(a, b),
                f64::from_bits(bits)
            );
        }
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

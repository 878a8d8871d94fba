//! The dynamic value rules against their platforms' own expressions, over a wide sweep of
//! parameters: each platform's formula is written out below as its source writes it, in the
//! same order, with the types its language gives each operand, and every value hunt computes
//! must equal it exactly (one point off is a wrong score).
//!
//! The sweeps stay where the platform's numbers are exact in `f64` (Python integers below
//! 2^53, C# `int`s), so the literal `f64` expression is the platform's own result.

use hunt_core::scoring::ValueRule;

const INITIALS: [i64; 14] = [
    1,
    10,
    50,
    99,
    100,
    101,
    250,
    300,
    499,
    500,
    750,
    1000,
    1337,
    1_000_000_000,
];
const MINIMUMS: [i64; 9] = [0, 1, 10, 50, 100, 101, 250, 499, 1000];
const SOLVES: std::ops::RangeInclusive<u32> = 0..=300;

/// Decays of 0 to 64 and some far larger ones (up to the last whose square is below 2^53).
fn decays() -> impl Iterator<Item = i64> {
    (0..=64).chain([99, 100, 1000, 12_345, 1_000_000, 94_906_265])
}

/// Every (initial, minimum) pair with the minimum at most the initial, as definitions allow.
fn bounds() -> impl Iterator<Item = (i64, i64)> {
    INITIALS.into_iter().flat_map(|initial| {
        MINIMUMS
            .into_iter()
            .filter(move |minimum| *minimum <= initial)
            .map(move |minimum| (initial, minimum))
    })
}

/// CTFd `CTFd/plugins/dynamic_challenges/decay.py`, `logarithmic`, line by line. Python's
/// `int / int` of operands below 2^53 is one float division; `solve_count ** 2` is an exact
/// int, converted to a float by the multiplication.
fn ctfd_logarithmic(initial: i64, minimum: i64, decay: i64, solves: u32) -> i64 {
    let mut solve_count = i64::from(solves);
    if solve_count != 0 {
        solve_count -= 1;
    }
    let decay = if decay == 0 { 1 } else { decay };
    let value = (((minimum - initial) as f64 / (decay.pow(2)) as f64)
        * (solve_count.pow(2)) as f64)
        + initial as f64;
    let value = value.ceil() as i64;
    if value < minimum { minimum } else { value }
}

/// CTFd `decay.py`, `linear`: integers throughout.
fn ctfd_linear(initial: i64, minimum: i64, decay: i64, solves: u32) -> i64 {
    let mut solve_count = i64::from(solves);
    if solve_count != 0 {
        solve_count -= 1;
    }
    let value = initial - (decay * solve_count);
    if value < minimum { minimum } else { value }
}

/// rCTF `server/util/scores.ts`, `getScore(rl, rh, maxSolves, solves)`: JavaScript numbers
/// are `f64`; `Math.round` is V8's: round up, then step back down if that went more than a
/// half past (halves go towards +∞).
fn rctf_get_score(rl: f64, rh: f64, max_solves: f64, solves: f64) -> i64 {
    let p0 = 0.7_f64;
    let p1 = 0.96_f64;
    let c0 = -p0.atanh();
    let c1 = p1.atanh();
    let a = |x: f64| (1.0 - x.tanh()) / 2.0;
    let b = |x: f64| (a((c1 - c0) * x + c0) - a(c1)) / (a(c0) - a(c1));
    let s = f64::max(1.0, max_solves);
    let f = |x: f64| rl + (rh - rl) * b(x / s);
    let math_round = |x: f64| {
        let up = x.ceil();
        if up - 0.5 > x { up - 1.0 } else { up }
    };
    math_round(f(solves).max(f(s))) as i64
}

/// GZCTF `src/GZCTF/Models/Data/GameChallenge.cs`, `CalculateChallengeScore`: `int`s, and
/// `(1 - acceptedCount) / difficulty` divides an `int` converted to `double`.
fn gzctf_calculate(
    original_score: i32,
    min_score_rate: f64,
    difficulty: f64,
    accepted: i32,
) -> i64 {
    if accepted <= 1 {
        return i64::from(original_score);
    }
    let score = (f64::from(original_score)
        * (min_score_rate + (1.0 - min_score_rate) * (f64::from(1 - accepted) / difficulty).exp()))
    .floor() as i32;
    i64::from(score)
}

#[test]
fn ctfd_logarithmic_is_ctfds_expression_everywhere() {
    let mut checked = 0u64;
    let mut reordered_differs = 0u64;
    for (initial, minimum) in bounds() {
        for decay in decays() {
            let rule = ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            };
            for n in SOLVES {
                let expected = ctfd_logarithmic(initial, minimum, decay, n);
                assert_eq!(
                    rule.value(n, 0),
                    expected,
                    "initial {initial}, minimum {minimum}, decay {decay}, solve {n}"
                );
                // The order hunt used before: `(minimum - initial) / decay² * s * s`.
                let d = if decay == 0 { 1.0 } else { decay as f64 };
                let s = f64::from(n.saturating_sub(1));
                let reordered = (((minimum - initial) as f64 / (d * d) * s * s + initial as f64)
                    .ceil() as i64)
                    .max(minimum);
                reordered_differs += u64::from(reordered != expected);
                checked += 1;
            }
        }
    }
    // The sweep is wide enough to catch the order of operations, not only the formula.
    assert!(reordered_differs > 100, "{reordered_differs} of {checked}");
    assert_eq!(
        ValueRule::CtfdLog {
            initial: 500,
            minimum: 100,
            decay: 3
        }
        .value(4, 0),
        100
    );
}

#[test]
fn ctfd_linear_is_ctfds_expression_everywhere() {
    for (initial, minimum) in bounds() {
        for decay in decays() {
            let rule = ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            };
            for n in SOLVES {
                assert_eq!(
                    rule.value(n, 0),
                    ctfd_linear(initial, minimum, decay, n),
                    "initial {initial}, minimum {minimum}, decay {decay}, solve {n}"
                );
            }
        }
    }
}

#[test]
fn rctf_is_rctfs_expression_everywhere() {
    for (max, min) in bounds() {
        let rule = ValueRule::Rctf { max, min };
        for max_solves in [0, 1, 2, 3, 5, 7, 10, 13, 50, 99, 100, 250, 1000] {
            for n in 0..=max_solves.max(20) + 5 {
                assert_eq!(
                    rule.value(n, max_solves),
                    rctf_get_score(min as f64, max as f64, f64::from(max_solves), f64::from(n)),
                    "max {max}, min {min}, most solved {max_solves}, solves {n}"
                );
            }
        }
    }
}

#[test]
fn gzctf_is_gzctfs_expression_everywhere() {
    let originals = [1, 10, 100, 500, 999, 1000, 1337, 5000, 1_000_000_000];
    let ratios = [
        0.0,
        0.1,
        0.2,
        0.25,
        0.3,
        1.0 / 3.0,
        0.5,
        0.7,
        0.9,
        0.99,
        1.0,
    ];
    let difficulties = [0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 20.0, 100.0, 1e6];
    for original in originals {
        for min_ratio in ratios {
            for difficulty in difficulties {
                let rule = ValueRule::Gzctf {
                    original,
                    min_ratio,
                    difficulty,
                };
                for n in SOLVES {
                    assert_eq!(
                        rule.value(n, 0),
                        gzctf_calculate(original as i32, min_ratio, difficulty, n as i32),
                        "original {original}, ratio {min_ratio}, difficulty {difficulty}, solves {n}"
                    );
                }
            }
        }
    }
}

//! Evaluating unlock rules against a team's progress and the hunt clock.

use crate::hunt::{Hunt, UnlockRule};
use crate::time::Timestamp;

use super::team::TeamState;

/// Whether `rule` holds for `team` at `now`.
///
/// Recursion follows the nesting of one rule, which validation caps, never the challenge
/// graph, so it cannot overflow the stack.
pub(crate) fn holds(hunt: &Hunt, team: &TeamState, rule: &UnlockRule, now: Timestamp) -> bool {
    match rule {
        UnlockRule::Always => true,
        UnlockRule::Solved(c) => team.has_solved(*c),
        UnlockRule::AllOf(rules) => rules.iter().all(|r| holds(hunt, team, r, now)),
        UnlockRule::AnyOf(rules) => rules.iter().any(|r| holds(hunt, team, r, now)),
        UnlockRule::AtLeast { n, of } => {
            let mut met = 0u32;
            for r in of {
                if met >= *n {
                    break;
                }
                if holds(hunt, team, r, now) {
                    met += 1;
                }
            }
            met >= *n
        }
        // The peak, not the current score: an unlock is never taken back.
        UnlockRule::ScoreAtLeast(min) => team.peak_score >= *min,
        UnlockRule::After(offset) => now >= hunt.start.saturating_add(*offset),
        UnlockRule::SolvesInRound { round, n } => team.solves_in_round(*round) >= *n,
    }
}

//! When views change with no new event: the hunt's clock (start, freeze, end, rounds and
//! challenges that open at a time) and a team's throttles running out.
//!
//! Like quinn-proto's `poll_timeout`, the core does not wait for these instants (it has no
//! clock); it says when the next one is, and the embedding service wakes up then and reads
//! the views again.

use std::sync::Arc;

use crate::hunt::{Hunt, UnlockRule};
use crate::ids::TeamId;
use crate::throttle::{Lockout, Refusal};
use crate::time::Timestamp;

use super::HuntState;

impl HuntState {
    /// The first instant after `now` at which what the public board or a team's page shows
    /// changes although no event happened: the hunt starts, the board freezes (the public
    /// board then carries its "frozen" marker), the hunt ends, or a challenge with a timed
    /// unlock (`after = "2h"`, alone or inside a combination) may open. `None` when none is
    /// left.
    ///
    /// An instant of a timed unlock inside a combination is reported even if the other
    /// parts do not hold then: waking once too often costs a read, never a missed change.
    /// A binary search of the instants sorted once when the state was made (`Instants`),
    /// so cheap enough to call per update of every stream.
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.instants.after(now)
    }

    /// [`HuntState::next_change`] for what `team` sees: also when one of its throttles runs
    /// out (a challenge it may try again, or a counted guess that leaves a timed lockout's
    /// window so its attempts left go up). `None` for an unknown team with no hunt instant
    /// left.
    pub fn next_change_for(&self, team: TeamId, now: Timestamp) -> Option<Timestamp> {
        let mut next = Next::after(now);
        if let Some(at) = self.next_change(now) {
            next.offer(at);
        }
        let Some(state) = self.team(team) else {
            return next.found;
        };
        let hunt = &self.hunt;
        for challenge in &hunt.challenges {
            if state.has_solved(challenge.id) {
                continue;
            }
            if let Some(Refusal::Until(at)) = state.throttled(hunt, challenge.id, now) {
                next.offer(at);
            }
            let throttle = &challenge.throttle;
            if let (Some(_), Lockout::Timeout(per)) = (throttle.max_attempts, throttle.lockout) {
                let times = state
                    .guesses_at(challenge.id)
                    .map_or(&[][..], |g| g.times());
                for at in times {
                    next.offer(at.saturating_add(per));
                }
            }
        }
        next.found
    }
}

/// Every instant at which the hunt's clock alone may change a view (the start, the freeze,
/// the end, every timed unlock), sorted and without repeats. Worked out once per state from
/// its definition (which never changes under it), so that [`HuntState::next_change`] is a
/// binary search rather than a walk of every challenge's unlock rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instants(Arc<[Timestamp]>);

impl Instants {
    /// The timed instants of `hunt`.
    pub(crate) fn of(hunt: &Hunt) -> Self {
        let mut all = vec![hunt.start, hunt.end];
        all.extend(hunt.freeze);
        for challenge in &hunt.challenges {
            timed_unlocks(&challenge.unlock, &mut |offset| {
                all.push(hunt.start.saturating_add(offset));
            });
        }
        all.sort_unstable();
        all.dedup();
        Self(all.into())
    }

    /// The first instant later than `now`.
    fn after(&self, now: Timestamp) -> Option<Timestamp> {
        let later = self.0.partition_point(|at| *at <= now);
        self.0.get(later).copied()
    }
}

/// The earliest instant offered that is later than `now`.
struct Next {
    now: Timestamp,
    found: Option<Timestamp>,
}

impl Next {
    fn after(now: Timestamp) -> Self {
        Self { now, found: None }
    }

    fn offer(&mut self, at: Timestamp) {
        if at > self.now && self.found.is_none_or(|found| at < found) {
            self.found = Some(at);
        }
    }
}

/// Calls `found` with the offset of every timed unlock inside `rule`.
fn timed_unlocks(rule: &UnlockRule, found: &mut impl FnMut(crate::time::Span)) {
    match rule {
        UnlockRule::After(offset) => found(*offset),
        UnlockRule::AllOf(rules) | UnlockRule::AnyOf(rules) => {
            rules.iter().for_each(|r| timed_unlocks(r, found));
        }
        UnlockRule::AtLeast { of, .. } => of.iter().for_each(|r| timed_unlocks(r, found)),
        UnlockRule::Always
        | UnlockRule::Solved(_)
        | UnlockRule::ScoreAtLeast(_)
        | UnlockRule::SolvesInRound { .. } => {}
    }
}

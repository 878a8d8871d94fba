//! Taking hints: who may take which, and what they see.

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::ids::TeamId;
use crate::time::Timestamp;
use crate::verdict::Window;

use super::decide::{Decision, Outcome};
use super::{CommandError, HuntState, TeamState, unlock};

/// The engine's answer to taking a hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HintReply {
    /// The hint, newly taken. `cost` is what it costs (charged now, or at the solve when the
    /// hunt charges on solve; 0 after the end).
    Revealed {
        /// The hint.
        content: String,
        /// Its cost (0 after the end: free).
        cost: i64,
        /// When the cost comes off the team's score.
        charged: Charged,
    },
    /// Taken before: shown again, nothing charged twice.
    AlreadyTaken {
        /// The hint.
        content: String,
    },
    /// Locked, or no such challenge: the two look identical to a team.
    Locked,
    /// Before the hunt opens.
    NotOpen(Window),
    /// Another hint of the challenge must be taken first.
    RequiresHint {
        /// That hint's slug.
        hint: String,
    },
}

/// When a hint's cost comes off the team's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Charged {
    /// At once, when taken (also for a free hint).
    Now,
    /// When the team solves the challenge, if it does (the hunt charges hints on solve and
    /// the team has not solved it yet).
    OnSolve,
}

/// A hint as a team sees it on an open challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HintView {
    /// Slug.
    pub slug: String,
    /// Its cost.
    pub cost: i64,
    /// The hint, once taken.
    pub content: Option<String>,
    /// The hint to take first, if any and not taken yet.
    pub requires: Option<String>,
}

impl HuntState {
    pub(super) fn decide_take_hint(
        &self,
        team: TeamId,
        slug: &str,
        hint: &str,
        key: Option<crate::ids::IdempotencyKey>,
        now: Timestamp,
    ) -> Result<Decision, CommandError> {
        let state = self.team(team).ok_or(CommandError::UnknownTeam(team))?;
        let reply = |reply| Ok(Decision::only(Outcome::Hint(reply)));
        if now < self.hunt.start {
            return reply(HintReply::NotOpen(Window::BeforeStart {
                opens_at: self.hunt.start,
            }));
        }
        let Some(challenge) = self.hunt.challenge_by_slug(slug) else {
            return reply(HintReply::Locked);
        };
        if !state.has_solved(challenge.id)
            && !unlock::holds(&self.hunt, state, &challenge.unlock, now)
        {
            return reply(HintReply::Locked);
        }
        let index = challenge
            .hints
            .iter()
            .position(|h| h.slug == hint)
            .ok_or_else(|| CommandError::UnknownHint(hint.to_owned()))?;
        let found = &challenge.hints[index];
        if state.took_hint(challenge.id, index as u32) {
            return reply(HintReply::AlreadyTaken {
                content: found.content.clone(),
            });
        }
        if let Some(required) = found.requires
            && !state.took_hint(challenge.id, required as u32)
        {
            return reply(HintReply::RequiresHint {
                hint: challenge.hints[required].slug.clone(),
            });
        }
        let cost = if now >= self.hunt.end { 0 } else { found.cost };
        let charged = charged_when(self.hunt.hint_charge, state.has_solved(challenge.id));
        Ok(Decision {
            outcome: Outcome::Hint(HintReply::Revealed {
                content: found.content.clone(),
                cost,
                charged,
            }),
            events: vec![Event::HintTaken {
                team,
                challenge: challenge.slug.clone(),
                hint: found.slug.clone(),
                key,
                at: now,
            }],
        })
    }

    /// The hints of `challenge` as `team` sees them.
    pub(super) fn hint_views(
        &self,
        state: &TeamState,
        challenge: &crate::hunt::Challenge,
    ) -> Vec<HintView> {
        challenge
            .hints
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let taken = state.took_hint(challenge.id, i as u32);
                HintView {
                    slug: h.slug.clone(),
                    cost: h.cost,
                    content: taken.then(|| h.content.clone()),
                    requires: h
                        .requires
                        .filter(|r| !state.took_hint(challenge.id, *r as u32))
                        .map(|r| challenge.hints[r].slug.clone()),
                }
            })
            .collect()
    }
}

/// When a hint taken now is charged, under the hunt's policy, by a team that has or has not
/// solved its challenge.
pub(super) fn charged_when(policy: crate::hint::HintCharge, solved: bool) -> Charged {
    match policy {
        crate::hint::HintCharge::OnSolve if !solved => Charged::OnSolve,
        _ => Charged::Now,
    }
}

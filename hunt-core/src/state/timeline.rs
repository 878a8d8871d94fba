//! Timelines: each team's score over time, for graphs, from the team's own scoring items.
//!
//! A team keeps its scoring items (solves, adjustments, hint costs) with their times, so a
//! timeline costs O(items of the team), never a scan of the log. Solves are shown at their
//! current points: under retroactive scoring every solver holds the current value, so the
//! history is drawn the way the board counts it now (as CTFd's graph does).

use serde::{Deserialize, Serialize};

use crate::ids::TeamId;
use crate::time::Timestamp;

use super::team::Item;
use super::{HuntState, Row};

/// What changed a team's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cause {
    /// A solve of this challenge (slug).
    Solve {
        /// The challenge.
        challenge: String,
    },
    /// An admin adjustment.
    Adjustment,
    /// Hint costs charged for this challenge (slug).
    Hint {
        /// The challenge.
        challenge: String,
    },
}

/// One step of a team's score over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// When.
    pub at: Timestamp,
    /// The change.
    pub delta: i64,
    /// The score after it.
    pub score: i64,
    /// Why.
    pub cause: Cause,
}

impl HuntState {
    /// `team`'s score over time, in time order; its last point's score is the team's score.
    /// Read [`HuntState::public`]'s timeline for the frozen public graph.
    pub fn timeline(&self, team: TeamId) -> Vec<TimelinePoint> {
        let Some(state) = self.team(team) else {
            return Vec::new();
        };
        let mut items = state.items.clone();
        // Stable: items at the same instant keep their log order.
        items.sort_by_key(|(at, _)| *at);
        let mut score = 0i64;
        items
            .into_iter()
            .map(|(at, item)| {
                let slug = |c: crate::ids::ChallengeId| self.hunt.challenge(c).slug.clone();
                let (delta, cause) = match item {
                    Item::Solve(c) => (
                        state.solve_of(c).map_or(0, |s| s.points),
                        Cause::Solve { challenge: slug(c) },
                    ),
                    Item::Adjust(delta) => (delta, Cause::Adjustment),
                    Item::HintCost(c, cost) => (-cost, Cause::Hint { challenge: slug(c) }),
                };
                score = score.saturating_add(delta);
                TimelinePoint {
                    at,
                    delta,
                    score,
                    cause,
                }
            })
            .collect()
    }

    /// The top `k` rows with their timelines: the series of a score graph. O(k × items).
    pub fn top_timelines(&self, k: usize) -> Vec<(Row, Vec<TimelinePoint>)> {
        self.top(k)
            .into_iter()
            .map(|row| {
                let timeline = self.timeline(row.team);
                (row, timeline)
            })
            .collect()
    }
}

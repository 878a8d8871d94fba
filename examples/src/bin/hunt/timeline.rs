//! Each team's score over time, for the score graph.
//!
//! The core has no timeline API yet, so this module rebuilds one from what it does offer: a
//! team's solves (`TeamState::solves`, with time and points) and the point adjustments in the
//! log. When the rules work adds per-team timelines to the core (with dynamic values that
//! change earlier solves' points), [`top`] switches to it and nothing else changes.

use hunt_core::state::HuntState;
use hunt_core::{Event, Recorded, TeamId, Timestamp};

/// One team's score after each change, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The team.
    pub team: TeamId,
    /// Its display name.
    pub name: String,
    /// `(when, score from then on)`, starting at the hunt's start with 0.
    pub steps: Vec<(Timestamp, i64)>,
}

/// The score-over-time series of the first `n` teams of the board, in board order.
pub fn top(state: &HuntState, log: &[Recorded], n: usize) -> Vec<Series> {
    let start = state.hunt().start;
    state
        .top(n)
        .into_iter()
        .map(|row| {
            let mut changes: Vec<(Timestamp, i64)> = state
                .team(row.team)
                .map(|team| team.solves().iter().map(|s| (s.at, s.points)).collect())
                .unwrap_or_default();
            changes.extend(log.iter().filter_map(|recorded| match &recorded.event {
                Event::PointsAdjusted {
                    team, delta, at, ..
                } if *team == row.team => Some((*at, *delta)),
                _ => None,
            }));
            changes.sort_by_key(|(at, _)| *at);
            let mut steps = vec![(start, 0)];
            let mut score = 0;
            for (at, delta) in changes {
                score += delta;
                steps.push((at.max(start), score));
            }
            Series {
                team: row.team,
                name: row.name,
                steps,
            }
        })
        .collect()
}

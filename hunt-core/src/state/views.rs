//! Read-only views: ranked rows of the standings and a team's progress.

use serde::{Deserialize, Serialize};

use crate::hunt::LockedView;
use crate::ids::TeamId;
use crate::standings::Placed;
use crate::time::Timestamp;

use super::{HuntState, unlock};

/// One row of the standings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based place under the hunt's shared-rank policy.
    pub place: u32,
    /// The team.
    pub team: TeamId,
    /// Its display name.
    pub name: String,
    /// Its division.
    pub division: Option<String>,
    /// Its score.
    pub score: i64,
    /// Challenges solved.
    pub solves: u32,
    /// Time of its latest solve.
    pub last_solve_at: Option<Timestamp>,
}

/// A solved challenge as its team sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolvedView {
    /// When.
    pub at: Timestamp,
    /// The answer the team gave (a meta page can show its feeders' answers).
    pub answer: String,
    /// Points earned.
    pub points: i64,
}

/// A challenge as one team sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChallengeView {
    /// Unlocked (or solved): everything but the answers.
    Open {
        /// Slug.
        slug: String,
        /// Title.
        title: String,
        /// Content.
        content: String,
        /// Round name.
        round: Option<String>,
        /// Whether it is a meta.
        meta: bool,
        /// Points.
        points: i64,
        /// Counted wrong guesses left, if limited.
        attempts_left: Option<u32>,
        /// The team's solve, if solved.
        solved: Option<SolvedView>,
    },
    /// Locked, with a preview: the title only, never the content.
    Preview {
        /// Slug.
        slug: String,
        /// Title.
        title: String,
        /// Round name.
        round: Option<String>,
    },
}

/// What one team sees of the hunt at a given instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The team.
    pub team: TeamId,
    /// Its score.
    pub score: i64,
    /// Its place (hidden teams see where they would stand).
    pub place: u32,
    /// The challenges it can see, in definition order; locked ones without a preview are absent.
    pub challenges: Vec<ChallengeView>,
}

impl HuntState {
    fn row(&self, placed: Placed) -> Row {
        let state = &self.teams[placed.team.index()];
        Row {
            place: placed.place,
            team: placed.team,
            name: state.name.clone(),
            division: state.division.clone(),
            score: state.score,
            solves: state.solve_count() as u32,
            last_solve_at: state.last_solve_at,
        }
    }

    /// Number of teams on the board (hidden teams left out).
    pub fn board_len(&self) -> usize {
        self.standings.len()
    }

    /// Up to `limit` rows starting at 0-based position `offset`. O(log n + limit).
    pub fn page(&self, offset: usize, limit: usize) -> Vec<Row> {
        self.standings
            .range(offset, limit)
            .map(|placed| self.row(placed))
            .collect()
    }

    /// The first `n` rows. O(n).
    pub fn top(&self, n: usize) -> Vec<Row> {
        self.page(0, n)
    }

    /// The whole board.
    pub fn standings(&self) -> Vec<Row> {
        self.page(0, self.standings.len())
    }

    /// One team's row. A hidden team gets the place it would have, so it still sees itself.
    /// O(log n).
    pub fn team_row(&self, team: TeamId) -> Option<Row> {
        let state = self.team(team)?;
        let key = state.sort_key(self.hunt.ranking);
        let place = self
            .standings
            .place_of(team)
            .unwrap_or_else(|| self.standings.place_for_key(team, key));
        Some(self.row(Placed { place, team, key }))
    }

    /// A team's neighbourhood: up to `k` rows above it, its own row, up to `k` below.
    /// Empty for hidden or unknown teams.
    pub fn neighbourhood(&self, team: TeamId, k: usize) -> Vec<Row> {
        let Some(position) = self.standings.position_of(team) else {
            return Vec::new();
        };
        let start = position.saturating_sub(k);
        self.page(start, position - start + k + 1)
    }

    /// What `team` sees at `now`: unlocked challenges with content, locked ones as a
    /// preview or not at all, solved ones with the team's answers. Never a locked
    /// challenge's content or any accepted answer.
    pub fn progress(&self, team: TeamId, now: Timestamp) -> Option<Progress> {
        let state = self.team(team)?;
        let hunt = &self.hunt;
        let round_name =
            |c: &crate::hunt::Challenge| c.round.map(|r| hunt.rounds[r.index()].clone());
        let challenges = hunt
            .challenges
            .iter()
            .filter_map(|c| {
                let solve = state.solve_of(c.id);
                if solve.is_some() || unlock::holds(hunt, state, &c.unlock, now) {
                    Some(ChallengeView::Open {
                        slug: c.slug.clone(),
                        title: c.title.clone(),
                        content: c.content.clone(),
                        round: round_name(c),
                        meta: c.meta,
                        points: c.scoring.rule.initial(),
                        attempts_left: state.attempts_left(hunt, c.id),
                        solved: solve.map(|s| SolvedView {
                            at: s.at,
                            answer: s.answer.clone(),
                            points: s.points,
                        }),
                    })
                } else {
                    match c.locked_view {
                        LockedView::Preview => Some(ChallengeView::Preview {
                            slug: c.slug.clone(),
                            title: c.title.clone(),
                            round: round_name(c),
                        }),
                        _ => None,
                    }
                }
            })
            .collect();
        Some(Progress {
            team,
            score: state.score,
            place: self.team_row(team).map_or(0, |r| r.place),
            challenges,
        })
    }
}

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
        /// What solving it is worth now (its current dynamic value, first blood included).
        points: i64,
        /// Counted solves so far (visible teams only).
        solves: u32,
        /// Counted wrong guesses left, if limited.
        attempts_left: Option<u32>,
        /// When the team may guess again, if it is throttled now.
        retry_at: Option<Timestamp>,
        /// The challenge's hints: taken ones with their content.
        hints: Vec<super::HintView>,
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
    /// Its live score.
    pub score: i64,
    /// Its place on the public board (frozen after the freeze; hidden teams see where they
    /// would stand; 0 if it registered after the freeze).
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
        self.boards().global.len()
    }

    /// Up to `limit` rows starting at 0-based position `offset`. O(log n + limit).
    pub fn page(&self, offset: usize, limit: usize) -> Vec<Row> {
        self.boards()
            .global
            .range(offset, limit)
            .map(|placed| self.row(placed))
            .collect()
    }

    /// The divisions teams registered in, in order of first use.
    pub fn divisions(&self) -> impl ExactSizeIterator<Item = &str> {
        self.division_names.iter().map(String::as_str)
    }

    /// The standings of one division: up to `limit` rows from 0-based position `offset`,
    /// with places within the division. Same keys as the global board, so the order is the
    /// global order restricted to the division. Empty for a division nobody registered in.
    /// O(log n + limit).
    pub fn division_page(&self, division: &str, offset: usize, limit: usize) -> Vec<Row> {
        let Some(index) = self.division_ids.get(division) else {
            return Vec::new();
        };
        self.boards().divisions[*index as usize]
            .range(offset, limit)
            .map(|placed| self.row(placed))
            .collect()
    }

    /// Number of visible teams in one division.
    pub fn division_len(&self, division: &str) -> usize {
        self.division_ids
            .get(division)
            .map_or(0, |i| self.boards().divisions[*i as usize].len())
    }

    /// One team's place within its division, if it has one and is visible. O(log n).
    pub fn division_place(&self, team: TeamId) -> Option<u32> {
        let index = self.team(team)?.division_index?;
        self.boards().divisions[index as usize].place_of(team)
    }

    /// The first `n` rows. O(n).
    pub fn top(&self, n: usize) -> Vec<Row> {
        self.page(0, n)
    }

    /// The whole board.
    pub fn standings(&self) -> Vec<Row> {
        self.page(0, self.board_len())
    }

    /// One team's row. A hidden team gets the place it would have, so it still sees itself.
    /// O(log n).
    pub fn team_row(&self, team: TeamId) -> Option<Row> {
        let state = self.team(team)?;
        let key = state.sort_key(self.hunt.ranking);
        let board = &self.boards().global;
        let place = board
            .place_of(team)
            .unwrap_or_else(|| board.place_for_key(team, key));
        Some(self.row(Placed { place, team, key }))
    }

    /// A team's neighbourhood: up to `k` rows above it, its own row, up to `k` below.
    /// Empty for hidden or unknown teams.
    pub fn neighbourhood(&self, team: TeamId, k: usize) -> Vec<Row> {
        let Some(position) = self.boards().global.position_of(team) else {
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
                    let retry_at = match state.throttled(hunt, c.id, now) {
                        Some(crate::throttle::Refusal::Until(at)) if solve.is_none() => Some(at),
                        _ => None,
                    };
                    let public = self.public();
                    Some(ChallengeView::Open {
                        slug: c.slug.clone(),
                        title: c.title.clone(),
                        content: c.content.clone(),
                        round: round_name(c),
                        meta: c.meta,
                        points: public.current_value(c.id),
                        solves: public.solve_count(c.id),
                        attempts_left: state.attempts_left(hunt, c.id, now),
                        retry_at,
                        hints: self.hint_views(state, c),
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
            place: self.own_row(team).map_or(0, |r| r.place),
            challenges,
        })
    }
}

//! The standings (global and per division), kept exact when read and settled lazily.
//!
//! Events do not move teams in the rank index: they mark the teams whose key may have
//! changed. The first read after them settles the index once, by moving the marked teams
//! (O(log n) each) or, past `n / RESORT_RATIO` marks, by rebuilding it from every team's key
//! (O(n log n)). A solve that changes a dynamic value marks every solver whose score moved
//! (O(changed solvers)) but costs no ranking work until someone reads the board, and then
//! at most one re-sort for all the changes since the last read. The engine publishes one
//! state per group-commit batch and readers read published states: ranking work follows
//! reads, not events.
//!
//! Settling takes `&self` (reads do), so the settled index lives in a [`OnceLock`]: readers
//! of one shared state settle it once between them, and writers (`&mut`) take it back out
//! before marking.

use std::sync::{Mutex, OnceLock, PoisonError};

use crate::hunt::{RankingOrder, SharedRanks};
use crate::ids::TeamId;
use crate::standings::RankIndex;

use super::HuntState;
use super::team::TeamState;

/// Moving `k` teams one by one costs `k` index moves; a rebuild costs a sort and `n`
/// insertions in order. Measured with the event harness's ranking line (`cargo run
/// --release -p benches --bin event -- --teams N`, a loaded 2-core machine): a re-sort of
/// 10k teams took 1.0 ms against 0.34-0.55 µs a move, of 100k teams 105 ms against 3.3 µs
/// a move; the two meet between n/4 and n/3 marked teams, so past n/3 the board is
/// rebuilt.
const RESORT_RATIO: usize = 3;

/// The global board and one board per division, over the same keys.
#[derive(Debug, Clone)]
pub(crate) struct Boards {
    /// Every visible team.
    pub(crate) global: RankIndex,
    /// Visible teams by division, indexed like [`HuntState::divisions`].
    pub(crate) divisions: Vec<RankIndex>,
}

/// What a read must do before the boards are exact.
#[derive(Debug, Clone, Default)]
struct Pending {
    /// The boards as of the last settling, or `None` when they are to be rebuilt from
    /// scratch.
    base: Option<Boards>,
    /// Teams whose key may differ from their key in `base` (repeats allowed).
    marked: Vec<TeamId>,
}

/// The standings of a [`HuntState`]: either settled, or a base and the teams to move.
#[derive(Debug)]
pub(crate) struct Ranking {
    /// The exact boards, once settled since the last change.
    settled: OnceLock<Boards>,
    /// While `settled` is empty: how to settle. Locked only by the reader that settles.
    pending: Mutex<Pending>,
}

impl Clone for Ranking {
    fn clone(&self) -> Self {
        Self {
            settled: self.settled.clone(),
            pending: Mutex::new(
                self.pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }
}

impl Ranking {
    /// Empty boards under `shared`, with no division.
    pub(crate) fn new(shared: SharedRanks) -> Self {
        let settled = OnceLock::new();
        let _ = settled.set(Boards {
            global: RankIndex::new(shared),
            divisions: Vec::new(),
        });
        Self {
            settled,
            pending: Mutex::new(Pending::default()),
        }
    }

    /// The pending work, after taking the settled boards (if any) back as its base.
    fn pending_mut(&mut self) -> &mut Pending {
        let pending = self
            .pending
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(boards) = self.settled.take() {
            *pending = Pending {
                base: Some(boards),
                marked: Vec::new(),
            };
        }
        pending
    }

    /// Marks `team`'s key as possibly changed, among `teams` teams in all.
    pub(crate) fn mark(&mut self, team: TeamId, teams: usize) {
        let pending = self.pending_mut();
        if pending.base.is_none() {
            return;
        }
        pending.marked.push(team);
        if pending.marked.len().saturating_mul(RESORT_RATIO) >= teams {
            // Cheaper to rebuild than to move them all.
            *pending = Pending::default();
        }
    }

    /// Adds an empty division board (the divisions' count is then `divisions`).
    pub(crate) fn add_division(&mut self, shared: SharedRanks) {
        if let Some(base) = &mut self.pending_mut().base {
            base.divisions.push(RankIndex::new(shared));
        }
    }

    /// Replaces the boards with settled ones.
    fn set(&mut self, boards: Boards) {
        *self
            .pending
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = Pending::default();
        self.settled = OnceLock::from(boards);
    }
}

impl HuntState {
    /// The exact boards, settled now if events marked teams since the last read.
    pub(crate) fn boards(&self) -> &Boards {
        self.ranking.settled.get_or_init(|| {
            let pending = std::mem::take(
                &mut *self
                    .ranking
                    .pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            match pending.base {
                Some(mut boards) => {
                    for team in pending.marked {
                        place(
                            &mut boards,
                            team,
                            &self.teams[team.index()],
                            self.hunt.ranking,
                        );
                    }
                    boards
                }
                None => self.built_boards(),
            }
        })
    }

    /// Marks `team` for the next settling: it moved, appeared or was hidden or shown.
    pub(crate) fn rerank(&mut self, team: TeamId) {
        if self.deferred {
            return;
        }
        let teams = self.teams.len();
        self.ranking.mark(team, teams);
    }

    /// Rebuilds the standings (global and per division) from every visible team's key, now.
    pub(super) fn rebuild_ranking(&mut self) {
        let boards = self.built_boards();
        self.ranking.set(boards);
    }

    /// The boards of every visible team, sorted from scratch.
    fn built_boards(&self) -> Boards {
        let shared = self.hunt.shared_ranks;
        let order = self.hunt.ranking;
        let mut keyed: Vec<_> = self
            .teams()
            .filter(|(_, t)| !t.hidden)
            .map(|(id, t)| (t.sort_key(order), id, t.division_index))
            .collect();
        keyed.sort_unstable();
        let mut boards = Boards {
            global: RankIndex::new(shared),
            divisions: (0..self.division_names.len())
                .map(|_| RankIndex::new(shared))
                .collect(),
        };
        for (key, team, division) in keyed {
            boards.global.upsert(team, key);
            if let Some(d) = division {
                boards.divisions[d as usize].upsert(team, key);
            }
        }
        boards
    }
}

/// Puts `team` at its current key on `boards`, or takes it off while it is hidden.
fn place(boards: &mut Boards, team: TeamId, state: &TeamState, order: RankingOrder) {
    let board = state
        .division_index
        .map(|d| &mut boards.divisions[d as usize]);
    if state.hidden {
        boards.global.remove(team);
        if let Some(board) = board {
            board.remove(team);
        }
    } else {
        let key = state.sort_key(order);
        boards.global.upsert(team, key);
        if let Some(board) = board {
            board.upsert(team, key);
        }
    }
}

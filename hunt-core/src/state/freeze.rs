//! The freeze: after the freeze time, public views show the board as of the freeze.
//!
//! The frozen board is a second [`HuntState`], forked from the live one by the first event
//! at or after the freeze time and fed only the events before it (so a late clock cannot
//! slip a post-freeze solve in). Until then the two are the same and nothing is kept twice.
//! Public views read it until an admin reveals the final board; admins read the live state.
//! It costs a second copy of the teams and solver lists from the freeze to the reveal, and
//! no work per event after the freeze (with one clock, no event after it is before it).
//! Every public number (scores, places, solve counts, dynamic values, first bloods,
//! timelines) comes from it, so frozen values do not keep decaying (CTFd#2320).

use crate::ids::TeamId;

use super::{FastMap, HuntState, Row};

impl HuntState {
    /// The state public views read: the board as of the freeze while it is frozen, else the
    /// live state. All the read-only views (`top`, `page`, `standings`, `team_row`,
    /// `division_page`, `timeline`, `solve_count`, `current_value`, …) work on it.
    pub fn public(&self) -> &HuntState {
        match &self.frozen {
            Some(frozen) if !self.revealed => frozen,
            _ => self,
        }
    }

    /// Whether public views are frozen right now (the freeze passed and no reveal yet).
    pub fn is_frozen(&self) -> bool {
        self.frozen.is_some() && !self.revealed
    }

    /// Whether an admin revealed the final board.
    pub fn is_revealed(&self) -> bool {
        self.revealed
    }

    /// What `team` sees of its own row: its live score and solves, but its place on the
    /// public board (frozen after the freeze), so it cannot learn live places from it.
    pub fn own_row(&self, team: TeamId) -> Option<Row> {
        let mut row = self.team_row(team)?;
        let public = self.public();
        if !std::ptr::eq(public, self) {
            row.place = public.team_row(team).map_or(0, |r| r.place);
        }
        Some(row)
    }

    /// Forks the frozen board from the current state, once.
    pub(super) fn fork_frozen_board(&mut self) {
        if self.frozen.is_some() || self.revealed {
            return;
        }
        // The fork copies the teams: their staged solves must be in them.
        let staged = self.staged_for_fork();
        self.frozen = Some(Box::new(HuntState {
            hunt: self.hunt.clone(),
            secret: None,
            seq: self.seq,
            last_at: self.last_at,
            teams: self.teams.clone(),
            names: self.names.clone(),
            // The frozen board never decides a command: no idempotency keys needed.
            keys: FastMap::default(),
            commands: FastMap::default(),
            stats: self.stats.clone(),
            max_solves: self.max_solves,
            ranking: self.ranking.clone(),
            division_ids: self.division_ids.clone(),
            division_names: self.division_names.clone(),
            frozen: None,
            revealed: false,
            deferred: self.deferred,
            stale: self.stale.clone(),
            tracks_peak: self.tracks_peak,
            instants: self.instants.clone(),
            staged,
        }));
    }
}

//! The public board as one value: what the board page shows and what the public stream
//! sends. Every number comes from the engine's public view, which is the board as of the
//! freeze from the freeze until the reveal, so nothing here can leak a later solve.

use std::sync::{Arc, Mutex};

use hunt_core::Timestamp;
use hunt_core::state::{HuntState, Row};
use serde::Serialize;

/// Rows of the board the page and the stream show.
pub const ROWS: usize = 50;

/// Teams drawn in the score graph.
pub const GRAPH: usize = 10;

/// One team's line in the score graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The team's name.
    pub team: String,
    /// `[time in ms, score]` after each change, in time order.
    pub points: Vec<(i64, i64)>,
}

/// The public board at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    /// The public view's log position (it stops moving during the freeze).
    pub seq: u64,
    /// The hunt's title.
    pub title: String,
    /// Whether the board shows the standings as of the freeze.
    pub frozen: bool,
    /// The freeze time, if the hunt has one (ms since the epoch).
    pub freeze_at: Option<i64>,
    /// When the hunt starts and ends (ms since the epoch).
    pub start: i64,
    /// See `start`.
    pub end: i64,
    /// Teams on the board.
    pub total: usize,
    /// The top rows.
    pub rows: Vec<Row>,
    /// The divisions, for tabs.
    pub divisions: Vec<String>,
    /// The top teams' scores over time.
    pub series: Vec<Series>,
}

impl Board {
    /// The public board of `state` at `now`.
    pub fn of(state: &HuntState, now: Timestamp) -> Self {
        let hunt = state.hunt();
        let public = state.public();
        // Frozen from the freeze time on: the engine forks its frozen board at the first
        // event after it, and until then the live board equals it.
        let frozen =
            !state.is_revealed() && (state.is_frozen() || hunt.freeze.is_some_and(|f| now >= f));
        let series = public
            .top_timelines(GRAPH)
            .into_iter()
            .map(|(row, timeline)| Series {
                team: row.name,
                points: timeline.iter().map(|p| (p.at.0, p.score)).collect(),
            })
            .collect();
        Self {
            seq: public.seq(),
            title: hunt.title.clone(),
            frozen,
            freeze_at: hunt.freeze.map(|f| f.0),
            start: hunt.start.0,
            end: hunt.end.0,
            total: public.board_len(),
            rows: public.top(ROWS),
            divisions: public.divisions().map(str::to_owned).collect(),
            series,
        }
    }
}

/// A board with its JSON, as streams send it.
#[derive(Debug, PartialEq, Eq)]
pub struct Shown {
    /// The board.
    pub board: Board,
    /// The board as JSON.
    pub json: String,
}

/// The last board built, so that thousands of streams waking for one publish build and
/// encode it once, not once each.
#[derive(Debug, Default)]
pub struct BoardCache {
    last: Mutex<Option<(u64, bool, Arc<Shown>)>>,
}

impl BoardCache {
    /// The public board of `state` at `now`, built at most once per log position and
    /// freeze flag.
    pub fn get(&self, state: &HuntState, now: Timestamp) -> Arc<Shown> {
        let frozen_by_clock = state.hunt().freeze.is_some_and(|f| now >= f);
        let key = (state.seq(), frozen_by_clock);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seq, frozen, shown)) = &*last
            && (*seq, *frozen) == key
        {
            return shown.clone();
        }
        let board = Board::of(state, now);
        let json = serde_json::to_string(&board).unwrap_or_else(|_| "null".to_owned());
        let shown = Arc::new(Shown { board, json });
        *last = Some((key.0, key.1, shown.clone()));
        shown
    }
}

//! The public feed: what every public stream shows, worked out once for all of them.
//!
//! One task follows the pump's updates and the clock, and publishes on a watch channel the
//! newest public board — at once after a quiet spell, then at most once per board interval,
//! with the newest state — and how far the first bloods go, at once, so an announcement never
//! waits for the next board. Streams wake only when the feed changes: 5,000 board clients
//! cost 5,000 wake-ups per board sent, not per publish of the engine (which, under load, is
//! hundreds of times a second).
//!
//! Everything comes from the state the pump has learned up to ([`SolveLog::state`]) and its
//! public view, so a board and the solves announced before it always agree, and nothing
//! after the freeze moves the feed until the reveal.
//!
//! Each new board is a [`Step`] with the delta from the board before, encoded here once for
//! every stream (see `delta.rs`); the feed keeps the last [`CHAIN`] steps, so a stream that
//! fell a few boards behind, or a client that resumes from a recent board's id, gets the
//! deltas it missed rather than the whole board.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use hunt_core::engine::Engine;
use hunt_core::state::HuntState;
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tokio::sync::watch;
use tokio::time::Instant;

use super::delta;
use super::pump::{SolveLog, Update};
use super::snapshot::{Board, BoardCache, Shown};
use crate::clock::Clock;

/// Boards the feed keeps the deltas of: about 16 seconds of boards at the default interval.
pub const CHAIN: usize = 64;

/// What the public streams show now.
#[derive(Debug)]
pub struct Feed {
    /// The state the board and the announcements come from.
    pub state: Arc<HuntState>,
    /// The board to show.
    pub board: Arc<Shown>,
    /// First bloods at public positions up to this one are to be announced.
    pub announced: u64,
    /// The last boards' steps, oldest first, the last one `board`'s; never empty.
    pub steps: VecDeque<Arc<Step>>,
}

/// One board of the feed, as the streams send it.
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    /// Counts the feed's boards: one more than the step before.
    pub version: u64,
    /// The id its event carries: the board's log position, plus one if it is frozen (a
    /// frozen board shows the position before the first event after the freeze, and that
    /// event's position is the first the frozen board stands for). So the board before the
    /// freeze and the frozen one, which show the same position, have different ids.
    pub id: u64,
    /// The delta from the board before, as JSON; `None` for the first board, and when the
    /// delta would be no smaller than the board.
    pub delta: Option<String>,
}

impl Step {
    /// The id of `board`'s event.
    fn id_of(board: &Board) -> u64 {
        board.seq + u64::from(board.frozen)
    }
}

impl Feed {
    /// The step of the board to show.
    pub fn current(&self) -> &Step {
        self.steps.back().expect("a feed has a board")
    }

    /// The steps after the board of version `held`, if the feed still has all of them and
    /// each has a delta.
    pub fn deltas_after(&self, held: u64) -> Option<impl Iterator<Item = &Step> + '_> {
        let first = self.steps.front()?.version;
        let from = usize::try_from(held.checked_sub(first)?).ok()?;
        let after = self.steps.iter().skip(from + 1);
        (from < self.steps.len() && after.clone().all(|step| step.delta.is_some()))
            .then(|| after.map(|step| &**step))
    }

    /// The version of the board whose event had `id`, when exactly one kept board had it.
    pub fn version_of(&self, id: u64) -> Option<u64> {
        let mut with = self.steps.iter().filter(|step| step.id == id);
        match (with.next(), with.next()) {
            (Some(step), None) => Some(step.version),
            _ => None,
        }
    }

    /// The feed with `board` as its next board, the delta to it worked out and encoded
    /// once here for every stream.
    fn then(&self, state: Arc<HuntState>, board: Arc<Shown>, announced: u64) -> Self {
        let delta = delta::between(&self.board.board, &board.board)
            .map(|delta| serde_json::to_string(&delta).unwrap_or_else(|_| "null".to_owned()))
            .filter(|json| json.len() < board.json.len());
        let mut steps = self.steps.clone();
        steps.push_back(Arc::new(Step {
            version: self.current().version + 1,
            id: Step::id_of(&board.board),
            delta,
        }));
        if steps.len() > CHAIN {
            steps.pop_front();
        }
        Self {
            state,
            board,
            announced,
            steps,
        }
    }
}

/// Where the feed task gets its input.
pub struct Sources {
    /// The engine, for the next instant time alone changes the board.
    pub engine: Arc<Engine>,
    /// The pump's solves and learned state.
    pub solves: Arc<SolveLog>,
    /// The board cache the pages share.
    pub boards: Arc<BoardCache>,
    /// The service's clock.
    pub clock: Clock,
    /// The least time between two boards.
    pub interval: Duration,
}

impl Sources {
    /// The feed as of the pump's learned state, `None` before the pump has learned any.
    pub fn current(&self) -> Option<Feed> {
        let state = self.solves.state()?;
        let board = self.boards.get(&state, self.clock.now());
        let first = Step {
            version: 0,
            id: Step::id_of(&board.board),
            delta: None,
        };
        Some(Feed {
            announced: state.public().seq(),
            board,
            state,
            steps: VecDeque::from([Arc::new(first)]),
        })
    }
}

/// Publishes the feed on `tx` until `stopping` turns true or the pump's channel closes.
pub async fn run(
    sources: Sources,
    mut updates: Receiver<Update>,
    tx: watch::Sender<Arc<Feed>>,
    mut stopping: watch::Receiver<bool>,
) {
    let mut last_board: Option<Instant> = None;
    // Whether the state or the clock moved since the last board.
    let mut dirty = false;
    loop {
        let due = dirty.then(|| last_board.map_or_else(Instant::now, |l| l + sources.interval));
        let next = sources.engine.next_change(sources.clock.now());
        tokio::select! {
            update = updates.recv() => match update {
                Ok(_) | Err(RecvError::Lagged(_)) => dirty = true,
                Err(RecvError::Closed) => return,
            },
            () = sleep_until(&sources.clock, next) => dirty = true,
            () = deadline(due) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        let Some(state) = sources.solves.state() else {
            continue;
        };
        let announced = state.public().seq();
        let board_due = last_board.is_none_or(|l| l.elapsed() >= sources.interval);
        let published = tx.borrow().clone();
        if dirty && board_due {
            last_board = Some(Instant::now());
            dirty = false;
            // Built only when due: under load the state moves hundreds of times a second.
            let board = sources.boards.get(&state, sources.clock.now());
            // A board equal to the last (a solve after the freeze, a wrong answer) is no
            // new step: streams have nothing to send for it.
            if board.board != published.board.board {
                tx.send_replace(Arc::new(published.then(state, board, announced)));
            } else if announced > published.announced {
                tx.send_replace(Arc::new(Feed {
                    state,
                    board: published.board.clone(),
                    announced,
                    steps: published.steps.clone(),
                }));
            }
        } else if !sources
            .solves
            .first_bloods_between(published.announced, announced)
            .is_empty()
        {
            // A first blood goes out now, with the board last sent.
            tx.send_replace(Arc::new(Feed {
                state,
                board: published.board.clone(),
                announced,
                steps: published.steps.clone(),
            }));
        }
    }
}

/// Sleeps until `clock` reads `at` (a few milliseconds late, so the view has surely
/// changed), or forever for `None`.
pub async fn sleep_until(clock: &Clock, at: Option<hunt_core::Timestamp>) {
    match at {
        Some(at) => tokio::time::sleep(clock.until(at) + Duration::from_millis(5)).await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `due`, or forever for `None`.
async fn deadline(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

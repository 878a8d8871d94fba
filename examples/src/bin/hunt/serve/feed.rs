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

use std::sync::Arc;
use std::time::Duration;

use hunt_core::engine::Engine;
use hunt_core::state::HuntState;
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tokio::sync::watch;
use tokio::time::Instant;

use super::pump::{SolveLog, Update};
use super::snapshot::{BoardCache, Shown};
use crate::clock::Clock;

/// What the public streams show now.
#[derive(Debug)]
pub struct Feed {
    /// The state the board and the announcements come from.
    pub state: Arc<HuntState>,
    /// The board to show.
    pub board: Arc<Shown>,
    /// First bloods at public positions up to this one are to be announced.
    pub announced: u64,
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
        Some(Feed {
            announced: state.public().seq(),
            board,
            state,
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
            if !Arc::ptr_eq(&board, &published.board) || announced > published.announced {
                tx.send_replace(Arc::new(Feed {
                    state,
                    board,
                    announced,
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

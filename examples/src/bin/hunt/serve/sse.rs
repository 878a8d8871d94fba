//! Server-sent event streams: the public one (`/events`: the board, first bloods) and a
//! team's own (`/api/team/events`: its verdicts, hints, unlocks).
//!
//! The public stream sends a full `board` first, then `board_delta`s: what changed since the
//! board before (see `delta.rs`), each encoded once by the feed for every stream. Its
//! `first_blood`s carry their log positions as ids, its boards and deltas their board's id
//! (see [`Step::id`](super::feed::Step::id)), and every stream's ids only go up. A client
//! that reconnects with `Last-Event-ID` gets the first bloods since (from the pump's
//! memory), then the deltas since its board when that id names exactly one board the feed
//! still has (and no first blood, whose id may equal the board after it that the client may
//! not have got); otherwise, and whenever the deltas would outweigh it, a full board, never a
//! gap. The team's stream resumes with its team's events since (from the store), then a full
//! snapshot. A client that fell too far behind, or behind the broadcast channel, gets the
//! snapshot alone. The public stream reads only the engine's public view, so during the
//! freeze it has nothing new to say until the reveal. Both streams also wake at the next
//! instant time alone changes what they show
//! ([`Engine::next_change`](hunt_core::engine::Engine::next_change)).

use std::collections::{BTreeSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use hunt_core::event::{Event as LogEvent, JudgedAs};
use hunt_core::state::ChallengeView;
use hunt_core::{Recorded, TeamId, Timestamp};
use serde_json::json;
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tokio::sync::watch;

use super::app::App;
use super::auth::Who;
use super::error::ApiError;
use super::feed::Feed;
use super::metrics::ClientGuard;
use super::pump::Update;

/// Entries a team's resumed stream reads back from the store before it gives up and sends
/// a snapshot instead.
const TEAM_REPLAY: usize = 2_000;

/// `GET /events`: the public stream.
pub async fn public(
    State(app): State<App>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let last = last_event_id(&headers);
    // A resumed client holds the board its last event gave it if that id is exactly one
    // board's and no first blood's.
    let held = last
        .filter(|last| {
            app.solves
                .first_bloods_between(last.saturating_sub(1), *last)
                .is_empty()
        })
        .and_then(|last| app.feed.borrow().version_of(last));
    let stream = Public {
        feed: app.feed.clone(),
        announced: last,
        held,
        queue: VecDeque::new(),
        started: false,
        _guard: app.metrics.client(),
        app: app.clone(),
    };
    let events = futures_util::stream::unfold(stream, |mut s| async move {
        s.next().await.map(|event| (Ok(event), s))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(app.keep_alive))
}

/// `GET /api/team/events`: the team's own stream.
pub async fn team(
    State(app): State<App>,
    who: Who,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (team, _) = who.team()?;
    let mut stream = Own {
        rx: app.updates.subscribe(),
        team,
        open: BTreeSet::new(),
        seq: 0,
        queue: VecDeque::new(),
        started: false,
        _guard: app.metrics.client(),
        app: app.clone(),
    };
    stream.resume(last_event_id(&headers)).await;
    let events = futures_util::stream::unfold(stream, |mut s| async move {
        s.next().await.map(|event| (Ok(event), s))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(app.keep_alive)))
}

/// The position a reconnecting client last saw.
fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// An event named `name` with id `seq` and `data` as JSON.
fn event(name: &str, seq: u64, data: &impl serde::Serialize) -> Event {
    let data = serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned());
    Event::default().event(name).id(seq.to_string()).data(data)
}

/// What woke a stream.
enum Wake {
    /// Something to look at (an update, a lag, or the clock).
    Look(Option<Update>),
    /// The service is stopping or the feed closed.
    End,
}

/// Waits for an update, the next time-driven change, or the end.
async fn wake(app: &App, rx: &mut Receiver<Update>, next: Option<Timestamp>) -> Wake {
    let mut stopping = app.stopping.clone();
    tokio::select! {
        update = rx.recv() => match update {
            Ok(update) => Wake::Look(Some(update)),
            Err(RecvError::Lagged(_)) => Wake::Look(None),
            Err(RecvError::Closed) => Wake::End,
        },
        () = super::feed::sleep_until(&app.clock, next) => Wake::Look(None),
        _ = stopping.wait_for(|stop| *stop) => Wake::End,
    }
}

/// The public stream's state.
struct Public {
    app: App,
    /// The public feed, worked out once for every stream (see `feed.rs`).
    feed: watch::Receiver<Arc<Feed>>,
    /// First bloods up to this position are sent (or were before the client connected).
    announced: Option<u64>,
    /// The version of the board the client holds (see [`Step::version`](super::feed::Step)).
    held: Option<u64>,
    queue: VecDeque<Event>,
    started: bool,
    _guard: ClientGuard,
}

impl Public {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.started {
                let mut stopping = self.app.stopping.clone();
                tokio::select! {
                    changed = self.feed.changed() => if changed.is_err() {
                        return None;
                    },
                    _ = stopping.wait_for(|stop| *stop) => return None,
                }
            }
            self.started = true;
            let feed = self.feed.borrow_and_update().clone();
            self.look(&feed);
        }
    }

    /// Queues what changed in the public feed since the last look, in the order of their
    /// ids.
    fn look(&mut self, feed: &Feed) {
        let mut out: Vec<(u64, Event)> = Vec::new();
        // First bloods the public view includes (none after the freeze until the reveal),
        // at once. Other solves show in the next board: 5,000 clients times every solve
        // would be most of the service's work.
        if let Some(after) = self.announced.filter(|after| feed.announced > *after) {
            for solve in self.app.solves.first_bloods_between(after, feed.announced) {
                let visible = feed
                    .state
                    .public()
                    .team(solve.team)
                    .is_some_and(|t| !t.hidden);
                if visible {
                    out.push((solve.seq, event("first_blood", solve.seq, &solve)));
                }
            }
        }
        self.announced = Some(self.announced.unwrap_or(0).max(feed.announced));
        let current = feed.current();
        if self.held != Some(current.version) {
            let deltas = self
                .held
                .and_then(|held| feed.deltas_after(held))
                .map(|steps| steps.collect::<Vec<_>>())
                .filter(|steps| {
                    let bytes: usize = steps
                        .iter()
                        .filter_map(|s| s.delta.as_ref())
                        .map(String::len)
                        .sum();
                    bytes < feed.board.json.len()
                });
            match deltas {
                Some(steps) => {
                    for step in steps {
                        let data = step.delta.as_deref().unwrap_or("null");
                        out.push((step.id, raw("board_delta", step.id, data)));
                    }
                }
                None => out.push((current.id, raw("board", current.id, &feed.board.json))),
            }
            self.held = Some(current.version);
        }
        // Stable: a first blood goes before a board of the same id, which may include it.
        out.sort_by_key(|(id, _)| *id);
        self.queue.extend(out.into_iter().map(|(_, event)| event));
    }
}

/// An event named `name` with id `id` and `data`, already JSON.
fn raw(name: &str, id: u64, data: &str) -> Event {
    Event::default().event(name).id(id.to_string()).data(data)
}

/// A team's stream's state.
struct Own {
    app: App,
    rx: Receiver<Update>,
    team: TeamId,
    /// The open challenges the client knows of.
    open: BTreeSet<String>,
    /// The last position sent.
    seq: u64,
    queue: VecDeque<Event>,
    started: bool,
    _guard: ClientGuard,
}

impl Own {
    /// Replays the team's events after `last` (when few enough), then a snapshot.
    async fn resume(&mut self, last: Option<u64>) {
        let state = self.app.engine.snapshot();
        if let Some(last) = last.filter(|last| *last < state.seq()) {
            let store = &*self.app.store;
            if let Ok(events) = store
                .read(self.app.engine.hunt_id(), last, TEAM_REPLAY)
                .await
                && events.last().is_some_and(|e| e.seq >= state.seq())
            {
                for recorded in events.iter().filter(|e| e.seq <= state.seq()) {
                    self.own(recorded);
                }
            }
        }
        self.seq = state.seq();
        self.open = open_slugs(&self.app, self.team);
        let progress = state.progress(self.team, self.app.clock.now());
        self.queue.push_back(event(
            "progress",
            self.seq,
            &json!({ "progress": progress }),
        ));
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if !self.started {
                self.started = true;
                continue;
            }
            let next = self
                .app
                .engine
                .snapshot()
                .next_change_for(self.team, self.app.clock.now());
            let update = match wake(&self.app, &mut self.rx, next).await {
                Wake::End => return None,
                Wake::Look(update) => update,
            };
            let mut changed = false;
            match update {
                Some(update) => {
                    let after = self.seq;
                    for recorded in update.events.iter().filter(|e| e.seq > after) {
                        changed |= self.own(recorded);
                    }
                    self.seq = self.seq.max(update.seq);
                }
                // Lagged or woken by the clock: the snapshot below says where things are.
                None => changed = true,
            }
            changed |= self.unlocks();
            if changed {
                let seq = self.seq;
                self.queue
                    .push_back(event("changed", seq, &json!({ "seq": seq })));
            }
        }
    }

    /// Queues the event for `recorded` if it is this team's; says whether it was.
    fn own(&mut self, recorded: &Recorded) -> bool {
        let seq = recorded.seq;
        let (name, data) = match &recorded.event {
            LogEvent::SubmissionJudged {
                team,
                challenge,
                judged,
                ..
            } if *team == self.team => {
                let result = match judged {
                    JudgedAs::Correct => "correct",
                    JudgedAs::Incorrect { .. } => "incorrect",
                    JudgedAs::Partial { .. } => "partial",
                    _ => "judged",
                };
                (
                    "verdict",
                    json!({ "challenge": challenge, "result": result }),
                )
            }
            LogEvent::HintTaken {
                team,
                challenge,
                hint,
                ..
            } if *team == self.team => ("hint", json!({ "challenge": challenge, "hint": hint })),
            LogEvent::PointsAdjusted { team, delta, .. } if *team == self.team => {
                ("adjusted", json!({ "delta": delta }))
            }
            LogEvent::AttemptsGranted {
                team,
                challenge,
                extra,
                ..
            } if *team == self.team => {
                ("granted", json!({ "challenge": challenge, "extra": extra }))
            }
            _ => return false,
        };
        self.queue.push_back(event(name, seq, &data));
        true
    }

    /// Queues an `unlock` for every challenge newly open to the team; says whether any.
    fn unlocks(&mut self) -> bool {
        let open = open_slugs(&self.app, self.team);
        let new: Vec<String> = open.difference(&self.open).cloned().collect();
        for slug in &new {
            self.queue
                .push_back(event("unlock", self.seq, &json!({ "challenge": slug })));
        }
        self.open = open;
        !new.is_empty()
    }
}

/// The challenges open to `team` now.
fn open_slugs(app: &App, team: TeamId) -> BTreeSet<String> {
    let state = app.engine.snapshot();
    state
        .progress(team, app.clock.now())
        .map(|p| {
            p.challenges
                .into_iter()
                .filter_map(|c| match c {
                    ChallengeView::Open { slug, .. } => Some(slug),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

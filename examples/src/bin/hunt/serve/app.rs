//! One hunt's shared state and its routes: which path under the hunt's base path goes to
//! which handler. The service around every hunt (the list of hunts, `/metrics`, the limits
//! every request passes through) is in `hunts.rs`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};
use hunt_core::engine::Engine;
use tokio::sync::{broadcast, watch};

use super::metrics::Metrics;
use super::pump::Update;
use super::tokens::{AdminToken, TeamIndex};
use super::{api, board_page, sse, team_page};
use crate::clock::Clock;

/// The base path of hunt `id`'s routes: `/h/{id}`.
pub fn base_of(id: &str) -> String {
    format!("/h/{id}")
}

/// Everything one hunt's handlers share: the engine, the token index, the live feed, the
/// metrics, and the base path the routes are served under.
#[derive(Clone)]
pub struct App {
    /// Where this hunt's routes are: `/h/{id}`, or `` (the root) for the root routes that
    /// keep working when the service serves one hunt. Links in pages, forms and scripts
    /// start with it, so a page never leads out of its hunt.
    pub base: String,
    /// The hunt's engine.
    pub engine: Arc<Engine>,
    /// What the admin's token is checked against.
    pub admin: AdminToken,
    /// The store, for streams that resume.
    pub store: Arc<dyn hunt_core::store::Store>,
    /// Registration key → team, for team tokens.
    pub teams: Arc<TeamIndex>,
    /// New log entries, as the pump reads them.
    pub updates: broadcast::Sender<Update>,
    /// Recent solves, for announcements and resumed streams.
    pub solves: Arc<super::pump::SolveLog>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Becomes true when the service is shutting down: live streams end so that the
    /// graceful shutdown does not wait for them.
    pub stopping: watch::Receiver<bool>,
    /// The public feed every public stream shows (see `feed.rs`).
    pub feed: watch::Receiver<Arc<super::feed::Feed>>,
    /// How often a stream sends a comment to keep idle connections open.
    pub keep_alive: Duration,
    /// The clock commands are decided at and views shown at: the wall clock, or the
    /// simulated one of `hunt demo --serve`.
    pub clock: Clock,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("engine", &self.engine)
            .field("admin", &self.admin)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The path of `path` (which starts with `/`) under this app's base.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The base path of this hunt's own routes, `/h/{id}`, whatever this app's base is:
    /// links handed out to be kept (join links) use it, so they work whether the service
    /// serves one hunt or several.
    pub fn home(&self) -> String {
        base_of(self.engine.hunt_id().as_str())
    }

    /// This app with its routes under `base`.
    pub fn under(&self, base: String) -> Self {
        Self {
            base,
            ..self.clone()
        }
    }
}

/// The hunt's routes, under `app.base`. `/health` is the service's at the root, so a hunt
/// served at the root has none of its own there.
pub fn router(app: App) -> Router {
    let base = app.base.clone();
    let at = |path: &str| format!("{base}{path}");
    let mut router = Router::new()
        .route(&at("/"), get(team_page::page))
        .route(&at("/join/{token}"), get(team_page::join))
        .route(&at("/answer"), post(team_page::answer))
        .route(&at("/hint"), post(team_page::hint))
        .route(&at("/board"), get(board_page::page))
        .route(&at("/events"), get(sse::public))
        .route(&at("/api/team/events"), get(sse::team))
        .route(&at("/api/submit"), post(api::submit))
        .route(&at("/api/hint"), post(api::hint))
        .route(&at("/api/progress"), get(api::progress))
        .route(&at("/api/board"), get(api::board))
        .route(&at("/api/board/team/{id}"), get(api::board_team))
        .route(&at("/api/ctftime"), get(api::ctftime))
        .route(&at("/api/admin/team"), post(api::admin_team))
        .route(&at("/api/admin/adjust"), post(api::admin_adjust))
        .route(&at("/api/admin/hide"), post(api::admin_hide))
        .route(&at("/api/admin/grant"), post(api::admin_grant))
        .route(&at("/api/admin/reveal"), post(api::admin_reveal))
        .route(&at("/api/admin/board"), get(api::admin_board));
    if !base.is_empty() {
        // `/h/{id}` itself is the team page's address without its slash.
        let page = at("/");
        router = router
            .route(
                &base,
                get(move || async move { Redirect::permanent(&page) }),
            )
            .route(&at("/health"), get(api::health));
    }
    router.with_state(app)
}

//! The service's shared state and its router: which path goes to which handler, and the
//! limits every request passes through.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::routing::{get, post};
use hunt_core::engine::Engine;
use tokio::sync::{broadcast, watch};
use tower_http::trace::TraceLayer;

use super::metrics::Metrics;
use super::pump::Update;
use super::tokens::{AdminToken, TeamIndex};
use super::{api, board_page, sse, team_page};
use crate::clock::Clock;

/// Request bodies larger than this are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Everything handlers share: the engine, the token index, the live feed, the metrics.
#[derive(Clone)]
pub struct App {
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
    /// The per-client rate limit of writes.
    pub limiter: Arc<super::limit::Limiter>,
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
            .finish_non_exhaustive()
    }
}

/// The service's routes.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(team_page::page))
        .route("/join/{token}", get(team_page::join))
        .route("/answer", post(team_page::answer))
        .route("/hint", post(team_page::hint))
        .route("/board", get(board_page::page))
        .route("/events", get(sse::public))
        .route("/api/team/events", get(sse::team))
        .route("/api/submit", post(api::submit))
        .route("/api/hint", post(api::hint))
        .route("/api/progress", get(api::progress))
        .route("/api/board", get(api::board))
        .route("/api/board/team/{id}", get(api::board_team))
        .route("/api/ctftime", get(api::ctftime))
        .route("/api/admin/team", post(api::admin_team))
        .route("/api/admin/adjust", post(api::admin_adjust))
        .route("/api/admin/hide", post(api::admin_hide))
        .route("/api/admin/grant", post(api::admin_grant))
        .route("/api/admin/reveal", post(api::admin_reveal))
        .route("/api/admin/board", get(api::admin_board))
        .route("/openapi.json", get(api::openapi))
        .route("/metrics", get(super::metrics::render))
        .route("/health", get(api::health))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            super::limit::limit,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            // Spans name the route's pattern, never the path itself: a join link's path is
            // a secret, and no body (answers) is ever logged.
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("unmatched", MatchedPath::as_str);
                tracing::info_span!("request", method = %request.method(), route)
            }),
        )
        .with_state(app)
}

//! The JSON API: a team's submissions, hints and progress, the public board, the CTFtime
//! feed, and the admin's commands; described by the OpenAPI document at `/openapi.json`,
//! generated from these handlers and types (`openapi.rs`). Each path here is under a hunt's
//! base path, `/h/{hunt}`.
//!
//! Handlers call the engine's typed commands and return what its views give; they decide
//! nothing themselves. Every request body refuses unknown fields; every failure is a 4xx
//! (503 when the store is down) with `{"error": "…"}`.

use std::time::Instant;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use hunt_core::state::{HintReply, Progress, Row};
use hunt_core::{IdempotencyKey, TeamId, Timestamp, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::app::App;
use super::auth::Who;
use super::error::{ApiError, ErrorBody};
use super::tokens::Token;
use crate::render;

/// Longest client-chosen id accepted.
const MAX_ID: usize = 64;

/// Most rows one board request returns.
const MAX_LIMIT: usize = 500;

/// The engine key of a team's command with the client's `id`: a digest of both, so teams'
/// ids never collide with each other's or with another kind of command's.
pub fn command_key(kind: &str, team: Option<TeamId>, id: &str) -> Result<IdempotencyKey, ApiError> {
    if id.is_empty() || id.len() > MAX_ID {
        return Err(ApiError::bad(format!(
            "`id` must be 1 to {MAX_ID} characters: choose one per submission and reuse it \
             only to retry"
        )));
    }
    let mut hasher = Sha256::new();
    hasher.update(b"hunt serve v1\0");
    hasher.update(kind.as_bytes());
    hasher.update([0]);
    hasher.update(team.map_or(u32::MAX, |t| t.0).to_be_bytes());
    hasher.update(id.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    Ok(IdempotencyKey(u128::from_be_bytes(first)))
}

/// Submits for `team` and counts the verdict; shared by the API and the team page's form.
pub async fn submit_for(
    app: &App,
    team: TeamId,
    challenge: &str,
    answer: &str,
    id: &str,
) -> Result<(Verdict, Timestamp), ApiError> {
    let key = command_key("submit", Some(team), id)?;
    let now = app.clock.now();
    let started = Instant::now();
    let verdict = app.engine.submit(team, challenge, answer, key, now).await?;
    app.metrics.submitted(&verdict, started.elapsed());
    // The challenge and the verdict's kind, never the answer.
    tracing::info!(
        team = team.0,
        challenge,
        correct = verdict.is_correct(),
        "submission"
    );
    Ok((verdict, now))
}

/// Takes a hint for `team` and says the reply in words; shared by the API and the form.
pub async fn hint_for(
    app: &App,
    team: TeamId,
    challenge: &str,
    hint: &str,
    id: &str,
) -> Result<(HintReply, String), ApiError> {
    let key = command_key("hint", Some(team), id)?;
    let now = app.clock.now();
    let reply = app
        .engine
        .take_hint(team, challenge, hint, key, now)
        .await?;
    let words = render::hint(&reply, now);
    Ok((reply, words))
}

/// A submission.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The challenge's id (slug).
    pub challenge: String,
    /// The answer as typed.
    pub answer: String,
    /// The client's id for this submission (1 to 64 characters): a retry with the same id
    /// gets the original verdict and records nothing twice.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
}

/// A verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitResponse {
    /// The verdict (the original one, for a retry).
    #[schema(value_type = Object)]
    pub verdict: Verdict,
    /// The verdict in words, as the CLI says it.
    pub words: String,
    /// Whether this was a retry of an id already judged.
    pub duplicate: bool,
}

/// `POST /api/submit`.
#[utoipa::path(post, path = "/api/submit", request_body = SubmitRequest,
    security(("token" = [])), responses((status = 200, body = SubmitResponse)))]
pub async fn submit(
    State(app): State<App>,
    who: Who,
    body: Result<Json<SubmitRequest>, JsonRejection>,
) -> Result<Json<SubmitResponse>, ApiError> {
    let (team, _) = who.team()?;
    let Json(request) = body?;
    let (verdict, now) =
        submit_for(&app, team, &request.challenge, &request.answer, &request.id).await?;
    let (verdict, duplicate) = match verdict {
        Verdict::Duplicate { original } => (*original, true),
        verdict => (verdict, false),
    };
    let words = render::verdict(&verdict, now);
    Ok(Json(SubmitResponse {
        verdict,
        words,
        duplicate,
    }))
}

/// Taking a hint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HintRequest {
    /// The challenge's id (slug).
    pub challenge: String,
    /// The hint's id (slug).
    pub hint: String,
    /// The client's id for this request: a retry is charged once.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
}

/// The reply to taking a hint.
#[derive(Debug, Serialize, ToSchema)]
pub struct HintResponse {
    /// The engine's reply.
    #[schema(value_type = Object)]
    pub reply: HintReply,
    /// The reply in words.
    pub words: String,
}

/// `POST /api/hint`.
#[utoipa::path(post, path = "/api/hint", request_body = HintRequest, security(("token" = [])),
    responses((status = 200, body = HintResponse)))]
pub async fn hint(
    State(app): State<App>,
    who: Who,
    body: Result<Json<HintRequest>, JsonRejection>,
) -> Result<Json<HintResponse>, ApiError> {
    let (team, _) = who.team()?;
    let Json(request) = body?;
    let (reply, words) =
        hint_for(&app, team, &request.challenge, &request.hint, &request.id).await?;
    Ok(Json(HintResponse { reply, words }))
}

/// What the team sees now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    /// The team's name.
    pub name: String,
    /// When the hunt ends (milliseconds since the epoch).
    pub ends_at: i64,
    /// The team's score, public place and the challenges it can see.
    #[schema(value_type = Object)]
    pub progress: Progress,
}

/// `GET /api/progress`.
#[utoipa::path(get, path = "/api/progress", security(("token" = [])),
    responses((status = 200, body = ProgressResponse)))]
pub async fn progress(
    State(app): State<App>,
    who: Who,
) -> Result<Json<ProgressResponse>, ApiError> {
    let (team, _) = who.team()?;
    let state = app.engine.snapshot();
    let (Some(info), Some(progress)) = (state.team(team), state.progress(team, app.clock.now()))
    else {
        return Err(ApiError::unauthorized("a team token is required"));
    };
    Ok(Json(ProgressResponse {
        name: info.name.clone(),
        ends_at: state.hunt().end.0,
        progress,
    }))
}

/// Which part of the board.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// Rows to skip (default 0).
    pub offset: Option<usize>,
    /// Rows to return (default 50, at most 500).
    pub limit: Option<usize>,
    /// Only this division, with places within it.
    pub division: Option<String>,
}

/// A page of the public board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardResponse {
    /// Whether the board is frozen (it shows the standings as of the freeze).
    pub frozen: bool,
    /// Teams on this board (or division).
    pub total: usize,
    /// The rows.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<Row>,
}

/// `GET /api/board`: the public board (frozen after the freeze until the reveal).
#[utoipa::path(get, path = "/api/board", params(BoardQuery),
    responses((status = 200, body = BoardResponse)))]
pub async fn board(
    State(app): State<App>,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Result<Json<BoardResponse>, ApiError> {
    let Query(query) = query?;
    let state = app.engine.snapshot();
    let public = state.public();
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(50).min(MAX_LIMIT);
    let (total, rows) = match &query.division {
        Some(division) => (
            public.division_len(division),
            public.division_page(division, offset, limit),
        ),
        None => (public.board_len(), public.page(offset, limit)),
    };
    Ok(Json(BoardResponse {
        frozen: state.is_frozen(),
        total,
        rows,
    }))
}

/// `GET /api/board/team/{id}`: one team's public row.
#[utoipa::path(get, path = "/api/board/team/{id}", params(("id" = u32, Path, description = "The team's number")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn board_team(
    State(app): State<App>,
    id: Result<Path<u32>, PathRejection>,
) -> Result<Json<Row>, ApiError> {
    let Path(id) = id?;
    let state = app.engine.snapshot();
    let public = state.public();
    let team = TeamId(id);
    let visible = public.team(team).is_some_and(|t| !t.hidden);
    visible
        .then(|| public.team_row(team))
        .flatten()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no team {id} on the board")))
}

/// One line of the CTFtime feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CtftimeRow {
    /// Place.
    pub pos: u32,
    /// Team name.
    pub team: String,
    /// Score.
    pub score: i64,
}

/// The CTFtime scoreboard feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ctftime {
    /// The public standings.
    pub standings: Vec<CtftimeRow>,
}

/// `GET /api/ctftime`: the public standings in CTFtime's feed format.
#[utoipa::path(get, path = "/api/ctftime", responses((status = 200, body = Ctftime)))]
pub async fn ctftime(State(app): State<App>) -> Json<Ctftime> {
    let state = app.engine.snapshot();
    let standings = state
        .public()
        .standings()
        .into_iter()
        .map(|row| CtftimeRow {
            pos: row.place,
            team: row.name,
            score: row.score,
        })
        .collect();
    Json(Ctftime { standings })
}

/// Registering a team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    /// Display name.
    pub name: String,
    /// Division, if any.
    pub division: Option<String>,
}

/// A registered team and its join link (shown once: only its digest is kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamResponse {
    /// The team's number.
    pub team: u32,
    /// Its token.
    pub token: String,
    /// The path of its join link, under the hunt's own base path (`/h/{hunt}/join/…`), which
    /// works whether the service serves this hunt alone or among others.
    pub join: String,
}

/// `POST /api/admin/team`: registers a team and returns its join link.
#[utoipa::path(post, path = "/api/admin/team", request_body = TeamRequest, security(("token" = [])),
    responses((status = 200, body = TeamResponse)))]
pub async fn admin_team(
    State(app): State<App>,
    who: Who,
    body: Result<Json<TeamRequest>, JsonRejection>,
) -> Result<Json<TeamResponse>, ApiError> {
    who.admin()?;
    let Json(request) = body?;
    let token = Token::random()
        .map_err(|e| ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, e))?;
    let team = app
        .engine
        .register_with_key(
            &request.name,
            request.division.as_deref(),
            token.key(),
            app.clock.now(),
        )
        .await?;
    // Known at once, without waiting for the pump, so the link works on the next request.
    app.teams.insert(token.key(), team);
    Ok(Json(TeamResponse {
        team: team.0,
        join: format!("{}/join/{}", app.home(), token.to_hex()),
        token: token.to_hex(),
    }))
}

/// Awarding or deducting points.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustRequest {
    /// The team's number.
    pub team: u32,
    /// Points to add (negative to deduct).
    pub delta: i64,
    /// Why, as it will read in the log.
    pub reason: String,
    /// The client's id: a retry is applied once.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
}

/// Hiding or showing a team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HideRequest {
    /// The team's number.
    pub team: u32,
    /// Hide (true) or show again (false).
    pub hidden: bool,
    /// The client's id.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
}

/// Granting attempts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// The team's number.
    pub team: u32,
    /// The challenge's id (slug).
    pub challenge: String,
    /// Extra counted guesses (at least 1).
    #[schema(minimum = 1)]
    pub extra: u32,
    /// The client's id.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
}

/// Revealing the final board.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// The client's id.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
    /// Reveal even before the freeze (refused otherwise: the public board would follow
    /// the live one for the rest of the hunt).
    #[serde(default)]
    pub force: bool,
}

/// An admin command's acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    /// The log position after the command.
    pub seq: u64,
}

/// The team of an admin command, or 404.
fn known_team(app: &App, team: u32) -> Result<TeamId, ApiError> {
    let id = TeamId(team);
    app.engine
        .snapshot()
        .team(id)
        .map(|_| id)
        .ok_or_else(|| ApiError::not_found(format!("no team {team}")))
}

fn done(app: &App) -> Json<Done> {
    Json(Done {
        seq: app.engine.snapshot().seq(),
    })
}

/// `POST /api/admin/adjust`.
#[utoipa::path(post, path = "/api/admin/adjust", request_body = AdjustRequest, security(("token" = [])),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn admin_adjust(
    State(app): State<App>,
    who: Who,
    body: Result<Json<AdjustRequest>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    who.admin()?;
    let Json(request) = body?;
    let team = known_team(&app, request.team)?;
    let key = command_key("adjust", None, &request.id)?;
    app.engine
        .adjust(team, request.delta, &request.reason, key, app.clock.now())
        .await?;
    Ok(done(&app))
}

/// `POST /api/admin/hide`.
#[utoipa::path(post, path = "/api/admin/hide", request_body = HideRequest, security(("token" = [])),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn admin_hide(
    State(app): State<App>,
    who: Who,
    body: Result<Json<HideRequest>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    who.admin()?;
    let Json(request) = body?;
    let team = known_team(&app, request.team)?;
    let key = command_key("hide", None, &request.id)?;
    app.engine
        .set_hidden(team, request.hidden, key, app.clock.now())
        .await?;
    Ok(done(&app))
}

/// `POST /api/admin/grant`.
#[utoipa::path(post, path = "/api/admin/grant", request_body = GrantRequest, security(("token" = [])),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn admin_grant(
    State(app): State<App>,
    who: Who,
    body: Result<Json<GrantRequest>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    who.admin()?;
    let Json(request) = body?;
    let team = known_team(&app, request.team)?;
    if request.extra == 0 {
        return Err(ApiError::bad("`extra` must be at least 1"));
    }
    if app
        .engine
        .snapshot()
        .hunt()
        .challenge_by_slug(&request.challenge)
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "no challenge {:?}",
            request.challenge
        )));
    }
    let key = command_key("grant", None, &request.id)?;
    app.engine
        .grant_attempts(
            team,
            &request.challenge,
            request.extra,
            key,
            app.clock.now(),
        )
        .await?;
    Ok(done(&app))
}

/// `POST /api/admin/reveal`: ends the freeze on the public board.
#[utoipa::path(post, path = "/api/admin/reveal", request_body = RevealRequest, security(("token" = [])),
    responses((status = 200, body = Done)))]
pub async fn admin_reveal(
    State(app): State<App>,
    who: Who,
    body: Result<Json<RevealRequest>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    who.admin()?;
    let Json(request) = body?;
    let key = command_key("reveal", None, &request.id)?;
    app.engine
        .reveal_board(request.force, key, app.clock.now())
        .await?;
    Ok(done(&app))
}

/// `GET /api/admin/board`: the live board, freeze or not.
#[utoipa::path(get, path = "/api/admin/board", params(BoardQuery), security(("token" = [])),
    responses((status = 200, body = BoardResponse)))]
pub async fn admin_board(
    State(app): State<App>,
    who: Who,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Result<Json<BoardResponse>, ApiError> {
    who.admin()?;
    let Query(query) = query?;
    let state = app.engine.snapshot();
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(50).min(MAX_LIMIT);
    let (total, rows) = match &query.division {
        Some(division) => (
            state.division_len(division),
            state.division_page(division, offset, limit),
        ),
        None => (state.board_len(), state.page(offset, limit)),
    };
    Ok(Json(BoardResponse {
        frozen: false,
        total,
        rows,
    }))
}

/// The service's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always "ok" when the service answers.
    pub status: String,
    /// The engine's log position.
    pub seq: u64,
}

/// `GET /h/{hunt}/health`.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(app): State<App>) -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        seq: app.engine.snapshot().seq(),
    })
}

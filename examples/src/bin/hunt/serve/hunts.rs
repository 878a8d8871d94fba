//! The service around the hunts: every hunt served has its routes under `/h/{hunt}`
//! (`app.rs`); here are the routes of the service itself — the list of hunts (`/`,
//! `/api/hunts`), `/health`, `/metrics`, `/openapi.json` — the answer to any other path,
//! and the limits every request passes through.
//!
//! When exactly one hunt is served, its routes are also served at the root (`/board`,
//! `/api/submit`, `/join/…`, …), so links, scripts and clients written for a service of one
//! hunt keep working as they were, with no redirect for a POST or a stream to follow. With
//! several, the root has the list of hunts instead, and `/join/{token}` sends a team's token
//! on to its own hunt's join link.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::trace::TraceLayer;
use utoipa::ToSchema;

use super::app::{self, App};
use super::auth;
use super::error::ApiError;
use super::html::{escape, page as layout};
use super::limit::Limiter;
use super::tokens::{AdminToken, Token};

/// Request bodies larger than this are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 16 * 1024;

/// What the service's own routes share.
#[derive(Clone)]
pub struct Service {
    /// Every hunt served, each with its routes under `/h/{id}`, in the order served.
    pub hunts: Arc<[App]>,
    /// The admin's token, the same for every hunt (it is the store's).
    pub admin: AdminToken,
    /// The OpenAPI document, built once.
    pub doc: Arc<utoipa::openapi::OpenApi>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("hunts", &self.ids())
            .finish_non_exhaustive()
    }
}

impl Service {
    /// The service of `hunts` (each app's base its `/h/{id}`), with `admin`.
    pub fn new(hunts: Vec<App>, admin: AdminToken) -> Self {
        let ids: Vec<String> = hunts
            .iter()
            .map(|app| app.engine.hunt_id().as_str().to_owned())
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let doc = Arc::new(super::openapi::document(&ids));
        Self {
            hunts: hunts.into(),
            admin,
            doc,
        }
    }

    /// The ids of the hunts served.
    pub fn ids(&self) -> Vec<String> {
        self.hunts
            .iter()
            .map(|app| app.engine.hunt_id().as_str().to_owned())
            .collect()
    }
}

/// Every route of the service: each hunt's under `/h/{id}` (and at the root too when it is
/// the only one), the service's own, and the limits in front of them all. Writes are
/// rate-limited per client across every hunt, by `limiter`.
pub fn router(service: Service, limiter: Arc<Limiter>) -> Router {
    let mut router = Router::new()
        .route("/api/hunts", get(list))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi));
    let only = match &*service.hunts {
        [only] => Some(only.clone()),
        _ => None,
    };
    if only.is_none() {
        router = router
            .route("/", get(page))
            .route("/join/{token}", get(join));
    }
    let mut router = router.with_state(service.clone());
    for hunt in service.hunts.iter() {
        router = router.merge(app::router(hunt.clone()));
    }
    if let Some(only) = only {
        router = router.merge(app::router(only.under(String::new())));
    }
    let ids = Arc::new(service.ids());
    router
        .fallback(move |uri: Uri| {
            let ids = ids.clone();
            async move { not_found(&ids, &uri) }
        })
        .layer(axum::middleware::from_fn_with_state(
            limiter,
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
}

/// The service as axum serves it, with each client's address known (for the rate limit).
pub fn make_service(
    service: Service,
    limiter: Arc<Limiter>,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    router(service, limiter).into_make_service_with_connect_info::<SocketAddr>()
}

/// Any other path: a JSON 404 that says which hunts there are when the path names one that
/// is not served.
fn not_found(ids: &[String], uri: &Uri) -> ApiError {
    let wanted = uri
        .path()
        .strip_prefix("/h/")
        .map(|rest| rest.split('/').next().unwrap_or(""));
    match wanted {
        Some(hunt) if !ids.iter().any(|id| id == hunt) => ApiError::not_found(format!(
            "no hunt {hunt:?} is served here (served: {}; see /api/hunts)",
            ids.join(", ")
        )),
        _ if ids.len() > 1 && wanted.is_none() => ApiError::not_found(
            "no such page: this service serves several hunts, each under /h/{hunt}/ (see / or \
             /api/hunts)",
        ),
        _ => ApiError::not_found("no such page"),
    }
}

/// One hunt served.
#[derive(Debug, Serialize, ToSchema)]
pub struct HuntEntry {
    /// The hunt's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The base path of its routes (`/h/{id}`): its board is at `{path}/board`, its API at
    /// `{path}/api/…`.
    pub path: String,
    /// When it starts (milliseconds since the epoch).
    pub start: i64,
    /// When it ends (milliseconds since the epoch).
    pub end: i64,
}

/// The hunts served.
#[derive(Debug, Serialize, ToSchema)]
pub struct HuntList {
    /// In the order served.
    pub hunts: Vec<HuntEntry>,
}

fn entries(service: &Service) -> Vec<HuntEntry> {
    service
        .hunts
        .iter()
        .map(|app| {
            let state = app.engine.snapshot();
            let hunt = state.hunt();
            HuntEntry {
                id: hunt.id.as_str().to_owned(),
                title: hunt.title.clone(),
                path: app.home(),
                start: hunt.start.0,
                end: hunt.end.0,
            }
        })
        .collect()
}

/// `GET /api/hunts`: the hunts served.
#[utoipa::path(get, path = "/api/hunts", responses((status = 200, body = HuntList)))]
pub async fn list(State(service): State<Service>) -> Json<HuntList> {
    Json(HuntList {
        hunts: entries(&service),
    })
}

/// One hunt's log position.
#[derive(Debug, Serialize, ToSchema)]
pub struct HuntHealth {
    /// The hunt's id.
    pub id: String,
    /// Its engine's log position.
    pub seq: u64,
}

/// The service's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceHealth {
    /// Always "ok" when the service answers.
    pub status: String,
    /// The log position of the hunt, when exactly one is served (as `/h/{hunt}/health`
    /// says it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Every hunt served, with its log position.
    pub hunts: Vec<HuntHealth>,
}

/// `GET /health`: the service's, with every hunt's position.
#[utoipa::path(get, path = "/health", responses((status = 200, body = ServiceHealth)))]
pub async fn health(State(service): State<Service>) -> Json<ServiceHealth> {
    let hunts: Vec<HuntHealth> = service
        .hunts
        .iter()
        .map(|app| HuntHealth {
            id: app.engine.hunt_id().as_str().to_owned(),
            seq: app.engine.snapshot().seq(),
        })
        .collect();
    let seq = match hunts.as_slice() {
        [only] => Some(only.seq),
        _ => None,
    };
    Json(ServiceHealth {
        status: "ok".to_owned(),
        seq,
        hunts,
    })
}

/// `GET /metrics`: every hunt's counters, labelled with the hunt.
async fn metrics(State(service): State<Service>) -> impl IntoResponse {
    let ids = service.ids();
    let hunts: Vec<(&str, &super::metrics::Metrics)> = ids
        .iter()
        .zip(service.hunts.iter())
        .map(|(id, app)| (id.as_str(), &*app.metrics))
        .collect();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        super::metrics::text(&hunts),
    )
}

/// `GET /openapi.json`.
async fn openapi(State(service): State<Service>) -> Json<utoipa::openapi::OpenApi> {
    Json((*service.doc).clone())
}

/// `GET /` (several hunts): the hunts served, each with its board and its team page.
async fn page(State(service): State<Service>) -> Html<String> {
    let mut body = String::from(
        "<header><h1>Hunts</h1></header><main><p>Teams: open the join link your organisers \
         gave you. Everyone: pick a hunt to watch its live board.</p>",
    );
    for (entry, app) in entries(&service).into_iter().zip(service.hunts.iter()) {
        let state = app.engine.snapshot();
        let hunt = state.hunt();
        let teams = state.public().board_len();
        body.push_str(&format!(
            "<section class=\"card\" id=\"hunt-{id}\"><h3><a href=\"{path}/board\">{title}</a>\
             <span class=\"meta\">{id}</span></h3><p class=\"meta\">{from} to {to} · {teams} \
             {noun}</p><p><a href=\"{path}/board\">Live board</a> · \
             <a href=\"{path}/\">Team page</a></p></section>",
            id = escape(&entry.id),
            path = escape(&entry.path),
            title = escape(&entry.title),
            from = escape(&crate::render::time(hunt.start)),
            to = escape(&crate::render::time(hunt.end)),
            noun = if teams == 1 { "team" } else { "teams" },
        ));
    }
    body.push_str("</main>");
    Html(layout("Hunts", &body))
}

/// `GET /join/{token}` (several hunts): a team's token goes on to its hunt's join link; the
/// admin's is stored for every hunt (the admin's token is the store's) and goes to the list.
async fn join(State(service): State<Service>, Path(token): Path<String>) -> Response {
    if let Some(token) = Token::parse(&token) {
        if let Some(app) = service
            .hunts
            .iter()
            .find(|app| app.teams.team(&token).is_some())
        {
            let to = format!("{}/join/{}", app.home(), token.to_hex());
            return Redirect::to(&to).into_response();
        }
        if service.admin.matches(&token) {
            let cookie = auth::set_cookie(&token, "");
            return ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response();
        }
    }
    let body = "<main><h2>This join link is not valid</h2><p>Ask the organisers for your \
                team's link.</p></main>";
    (
        StatusCode::NOT_FOUND,
        Html(layout("Not a valid link", body)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_page_says_which_hunts_there_are() {
        let check = |ids: &[&str], path: &str, expected: &str| {
            let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
            let uri: Uri = path.parse().expect("a path");
            let error = not_found(&ids, &uri);
            assert_eq!(error.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(error.message, expected, "{ids:?} {path}");
        };
        let unknown = "no hunt \"nope\" is served here (served: live, second; see /api/hunts)";
        check(&["live", "second"], "/h/nope/board", unknown);
        check(&["live", "second"], "/h/nope", unknown);
        check(
            &["live", "second"],
            "/board",
            "no such page: this service serves several hunts, each under /h/{hunt}/ (see / or \
             /api/hunts)",
        );
        check(&["live", "second"], "/h/live/nothing", "no such page");
        check(&["live"], "/board/x", "no such page");
        check(
            &["live"],
            "/h/",
            "no hunt \"\" is served here (served: live; see /api/hunts)",
        );
    }
}

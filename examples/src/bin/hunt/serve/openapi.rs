//! The OpenAPI document at `/openapi.json`, generated from the handlers and types of
//! `api.rs` (one hunt's routes) and `hunts.rs` (the service's): every hunt's routes appear
//! once, under `/h/{hunt}` with the hunt as a path parameter.

use utoipa::OpenApi;
use utoipa::openapi::ObjectBuilder;
use utoipa::openapi::Required;
use utoipa::openapi::Type;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{api, hunts};

/// The routes of one hunt, as `api.rs` declares them (relative to the hunt's base path).
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "hunt serve", description = "Live treasure hunts: team API, board, admin. \
        Every hunt served has the same routes under its own base path, /h/{hunt}; \
        GET /api/hunts lists them. \
        Two server-sent event streams, not operations of this document, go with them. \
        GET /h/{hunt}/events, the public stream: `board` (the whole public board: seq, title, \
        frozen, freeze_at, start, end, total, the top 50 rows, divisions, and the top 10's \
        score series, each {team, points: [[ms, score], ...]}), sent first, after a resume \
        that deltas cannot serve, and whenever the deltas would be larger; then \
        `board_delta` (what changed since the board before: seq, frozen, total, len (rows \
        past it are gone), rows as [[position from 0, row], ...], divisions when they \
        changed, and series when any changed: every line of the new graph in order, as \
        {from, keep, points} continuing the old line `from` with its first `keep` points, or \
        {team, keep: 0, points} for a team new to the graph); and `first_blood` \
        ({seq, team, team_name, challenge, first_blood}). Event ids only go up; a client \
        resuming with Last-Event-ID misses nothing; during the freeze the stream carries \
        nothing until the reveal. GET /h/{hunt}/api/team/events, a team's own: `progress` \
        first, then `verdict`, `hint`, `adjusted`, `granted`, `unlock` and `changed`."),
    paths(api::submit, api::hint, api::progress, api::board, api::board_team, api::ctftime,
        api::admin_team, api::admin_adjust, api::admin_hide, api::admin_grant,
        api::admin_reveal, api::admin_board, api::health),
    modifiers(&TokenScheme, &Refusals)
)]
struct HuntDoc;

/// The routes of the service around the hunts.
#[derive(Debug, OpenApi)]
#[openapi(paths(hunts::list, hunts::health))]
struct ServiceDoc;

/// The whole document of a service serving `hunts`: each hunt's routes under
/// `/h/{hunt}`, with `hunt` a path parameter whose values are the hunts served (any other
/// is answered 404), then the service's own routes.
pub fn document(hunts: &[&str]) -> utoipa::openapi::OpenApi {
    let mut doc = HuntDoc::openapi();
    let hunt = ParameterBuilder::new()
        .name("hunt")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(
            "The hunt's id: one of the hunts served (GET /api/hunts)",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(hunts.iter().copied())),
        ))
        .build();
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        for operation in [item.get.as_mut(), item.post.as_mut()]
            .into_iter()
            .flatten()
        {
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .insert(0, hunt.clone());
            Refusals::add(
                operation,
                404,
                "No such hunt is served here, or no such item",
            );
        }
        doc.paths.paths.insert(format!("/h/{{hunt}}{path}"), item);
    }
    doc.merge(ServiceDoc::openapi());
    doc
}

/// Declares the bearer token scheme the paths refer to.
#[derive(Debug)]
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds to every operation the refusals that come from the service around its handler,
/// written here once rather than on each handler:
/// - an operation with parameters: 400 for a query or path that does not parse;
/// - every POST: 400 (a bad `id`), 413 (a body over the limit), 415 (not JSON), 422 (a body
///   that does not fit the schema, or a command the engine refused), 429 (the per-client
///   rate limit) and 503 (the store is down: retry with the same id);
/// - an operation that needs a token: 401.
#[derive(Debug)]
struct Refusals;

impl Refusals {
    fn add(operation: &mut utoipa::openapi::path::Operation, status: u16, why: &str) {
        let refusal = utoipa::openapi::ResponseBuilder::new()
            .description(why)
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert(refusal.into());
    }
}

impl utoipa::Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            if let Some(get) = item.get.as_mut() {
                if get.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    Self::add(get, 400, "A query or path that does not parse");
                }
                if get.security.is_some() {
                    Self::add(get, 401, "The token is missing or not this role's");
                }
            }
            if let Some(post) = item.post.as_mut() {
                Self::add(post, 400, "A bad `id`, or a value out of range");
                Self::add(post, 413, "The body is over the size limit");
                Self::add(post, 415, "The body is not `application/json`");
                Self::add(
                    post,
                    422,
                    "The body does not fit the schema, or the engine refused the command",
                );
                Self::add(
                    post,
                    429,
                    "Too many writes from this client: see `Retry-After`",
                );
                Self::add(
                    post,
                    503,
                    "The store is unavailable: retry with the same id",
                );
                if post.security.is_some() {
                    Self::add(post, 401, "The token is missing or not this role's");
                }
            }
        }
    }
}

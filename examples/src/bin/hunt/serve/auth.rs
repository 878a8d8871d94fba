//! Who is asking: a team (by its token), the admin, or nobody, from an
//! `Authorization: Bearer` header or the cookie a join link sets.
//!
//! A token that is wrong is treated as no token: public pages still work, and routes that
//! need a role answer 401. The cookie is HttpOnly (scripts cannot read it) and
//! SameSite=Strict (other sites' pages cannot send it), and forms carry a CSRF token
//! derived from the secret as a second guard against cross-site posts.
//!
//! Team tokens are per hunt: each hunt knows only its own teams' (its [`TeamIndex`]), so a
//! team of one hunt is nobody to another. A join link's cookie has the hunt's base path as
//! its `Path` (`/h/{hunt}`), so the browser does not even send it to another hunt's pages;
//! when a browser holds several (one per hunt, or one of the root routes of a service that
//! served one hunt), the first that is somebody's in the hunt asked counts. The admin's
//! token is the store's, so it is the admin's in every hunt served.
//!
//! [`TeamIndex`]: super::tokens::TeamIndex

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use hunt_core::TeamId;

use super::app::App;
use super::error::ApiError;
use super::tokens::Token;

/// The cookie holding a team's or the admin's token.
pub const COOKIE: &str = "hunt_token";

/// The role of a request.
#[derive(Debug, Clone)]
pub enum Who {
    /// No token, or one that matches nobody.
    Anonymous,
    /// A team, with the token it showed.
    Team(TeamId, Token),
    /// The organiser, with the token it showed.
    Admin(Token),
}

impl Who {
    /// The role of the holder of `token`.
    pub fn of(app: &App, token: Option<Token>) -> Self {
        let Some(token) = token else {
            return Self::Anonymous;
        };
        if let Some(team) = app.teams.team(&token) {
            return Self::Team(team, token);
        }
        if app.admin.matches(&token) {
            return Self::Admin(token);
        }
        Self::Anonymous
    }

    /// The team, or 401.
    pub fn team(&self) -> Result<(TeamId, &Token), ApiError> {
        match self {
            Self::Team(team, token) => Ok((*team, token)),
            _ => Err(ApiError::unauthorized("a team token is required")),
        }
    }

    /// Ok for the admin, else 401.
    pub fn admin(&self) -> Result<(), ApiError> {
        match self {
            Self::Admin(_) => Ok(()),
            _ => Err(ApiError::unauthorized("the admin token is required")),
        }
    }

    /// The token shown, if it matched someone.
    pub fn token(&self) -> Option<&Token> {
        match self {
            Self::Anonymous => None,
            Self::Team(_, token) | Self::Admin(token) => Some(token),
        }
    }
}

impl FromRequestParts<App> for Who {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let mut tokens = presented(parts).into_iter();
        let first = Self::of(app, tokens.next());
        if !matches!(first, Self::Anonymous) {
            return Ok(first);
        }
        Ok(tokens
            .map(|token| Self::of(app, Some(token)))
            .find(|who| !matches!(who, Self::Anonymous))
            .unwrap_or(Self::Anonymous))
    }
}

/// The tokens a request shows: the bearer header alone if it has one, else every cookie of
/// [`COOKIE`]'s name, in the order sent (a browser sends those of longer paths first).
fn presented(parts: &Parts) -> Vec<Token> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        return Token::parse(token).into_iter().collect();
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .filter_map(|(_, value)| Token::parse(value))
        .collect()
}

/// The `Set-Cookie` value that stores `token` for the pages under `base` (`` for the whole
/// site), so that it is sent to no other hunt's.
pub fn set_cookie(token: &Token, base: &str) -> String {
    let path = if base.is_empty() { "/" } else { base };
    format!(
        "{COOKIE}={}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=2592000",
        token.to_hex()
    )
}

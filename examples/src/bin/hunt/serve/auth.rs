//! Who is asking: a team (by its token), the admin, or nobody, from an
//! `Authorization: Bearer` header or the cookie a join link sets.
//!
//! A token that is wrong is treated as no token: public pages still work, and routes that
//! need a role answer 401. The cookie is HttpOnly (scripts cannot read it) and
//! SameSite=Strict (other sites' pages cannot send it), and forms carry a CSRF token
//! derived from the secret as a second guard against cross-site posts.

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
        Ok(Self::of(app, presented(parts)))
    }
}

/// The token a request shows: the bearer header first, else the cookie.
fn presented(parts: &Parts) -> Option<Token> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        return Token::parse(token);
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Token::parse(value))
}

/// The `Set-Cookie` value that stores `token` for this site.
pub fn set_cookie(token: &Token) -> String {
    format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000",
        token.to_hex()
    )
}

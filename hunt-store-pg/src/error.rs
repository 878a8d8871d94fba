//! How PostgreSQL's failures map into the core's [`StoreError`] vocabulary.
//!
//! Every store call is one statement in autocommit (its own implicit transaction), so a
//! failure is classified by when it happened:
//! - before the statement was sent (no pooled connection, the server does not answer):
//!   nothing was written, [`StoreError::Unavailable`];
//! - the server answered with an error of severity `ERROR`: the statement's transaction was
//!   rolled back, nothing was written, [`StoreError::Unavailable`] (or
//!   [`StoreError::Corruption`] when the error says the stored data breaks the layout);
//! - anything else once the statement may have been sent (an I/O error, a lost or
//!   terminated connection, a `FATAL` error, an answer that makes no sense): the server may
//!   have committed it, [`StoreError::OutcomeUnknown`] for a write.

use std::error::Error;

use hunt_core::store::StoreError;
use sqlx::postgres::{PgDatabaseError, PgSeverity};

/// Failures of this store that the core's vocabulary has no variant of its own for; each
/// comes as the `source` of a [`StoreError`] (downcast it to tell them apart) and says what
/// to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// No PostgreSQL server answers at the URL (refused, unreachable, timed out).
    #[error(
        "no PostgreSQL server answers at {url}: start PostgreSQL there, or point the store at \
         a running server (e.g. with HUNT_PG_URL or --store)"
    )]
    NotAnswering {
        /// The URL, without its password.
        url: String,
        /// The client's error.
        #[source]
        source: sqlx::Error,
    },

    /// The server answered but refused the connection (authentication, unknown database).
    #[error("the PostgreSQL server at {url} refused the connection: {source}")]
    Refused {
        /// The URL, without its password.
        url: String,
        /// The server's error.
        #[source]
        source: sqlx::Error,
    },

    /// The URL does not parse.
    #[error("{url} is not a PostgreSQL URL (postgres://user@host:port/database): {source}")]
    BadUrl {
        /// The URL, without its password.
        url: String,
        /// The parser's error.
        #[source]
        source: sqlx::Error,
    },

    /// The schema was migrated by a newer version of hunt-store-pg than this one.
    #[error(
        "the schema `{schema}` at {url} has layout version {found}, newer than this build of \
         hunt-store-pg reads (up to {known}); nothing was changed: upgrade hunt, or use \
         another schema"
    )]
    SchemaTooNew {
        /// The URL, without its password.
        url: String,
        /// The schema.
        schema: String,
        /// The newest version applied to it.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },

    /// The schema's migration history does not match this build's migrations.
    #[error(
        "the schema `{schema}` at {url} was migrated by another build of hunt-store-pg \
         ({source}); nothing was changed: use the build that created it, or another schema"
    )]
    SchemaMismatch {
        /// The URL, without its password.
        url: String,
        /// The schema.
        schema: String,
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// A schema name this store does not accept.
    #[error(transparent)]
    InvalidSchema(#[from] crate::InvalidSchema),
}

/// Whether `error` is the server's error of severity `ERROR` (not `FATAL` or `PANIC`): the
/// statement was rolled back and the session goes on.
fn rolled_back(error: &sqlx::Error) -> Option<&PgDatabaseError> {
    match error {
        sqlx::Error::Database(db) => db
            .try_downcast_ref::<PgDatabaseError>()
            .filter(|db| db.severity() == PgSeverity::Error),
        _ => None,
    }
}

/// Whether `error` came before anything was sent: the pool had no connection to give, or
/// the arguments did not encode.
fn before_sending(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Configuration(_)
            | sqlx::Error::Encode(_)
    )
}

/// A failed write statement: [`StoreError::Unavailable`] when it certainly wrote nothing,
/// [`StoreError::OutcomeUnknown`] when it may have committed.
pub(crate) fn write_failed(error: sqlx::Error) -> StoreError {
    if before_sending(&error) || rolled_back(&error).is_some() {
        StoreError::unavailable(error)
    } else {
        StoreError::outcome_unknown(error)
    }
}

/// A failed read statement: nothing was written whatever happened.
pub(crate) fn read_failed(error: sqlx::Error) -> StoreError {
    StoreError::unavailable(error)
}

/// The SQLSTATE of a rolled-back statement's error, if that is what `error` is.
pub(crate) fn sqlstate(error: &sqlx::Error) -> Option<&str> {
    rolled_back(error).map(PgDatabaseError::code)
}

/// A [`StoreError::Corruption`] in schema `schema`: `what` is damaged.
pub(crate) fn damaged(
    schema: &str,
    what: &str,
    source: Option<Box<dyn Error + Send + Sync>>,
) -> StoreError {
    StoreError::Corruption {
        what: format!("{what}, in PostgreSQL schema `{schema}`"),
        source,
    }
}

/// A connection failure on opening: [`PgError::NotAnswering`] when no server answered,
/// [`PgError::Refused`] when one did and said no.
pub(crate) fn connect_failed(url: String, error: sqlx::Error) -> StoreError {
    let refused = matches!(error, sqlx::Error::Database(_));
    let error = if refused {
        PgError::Refused { url, source: error }
    } else {
        PgError::NotAnswering { url, source: error }
    };
    StoreError::unavailable(error)
}

//! How a [`PgStore`](crate::PgStore) is reached: the server's URL, the schema that holds the
//! store's tables, and the pool's limits.

use std::fmt;
use std::time::Duration;

/// The longest schema name accepted, in bytes: short enough that the notification channel
/// named after it fits PostgreSQL's 63-byte identifiers.
pub const MAX_SCHEMA_LEN: usize = 48;

/// The schema used when none is named (the CLI's default).
pub const DEFAULT_SCHEMA: &str = "hunt";

/// A schema name that this store does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid schema name {0:?}: use 1 to 48 characters from a-z, 0-9 and '_', starting with a \
     letter, and not starting with `pg_`"
)]
pub struct InvalidSchema(pub String);

/// Where and how a [`PgStore`](crate::PgStore) connects.
///
/// The schema is created if it is missing, and holds every table of the store (its migration
/// bookkeeping included), so schemas on one server are independent stores.
#[derive(Clone, PartialEq, Eq)]
pub struct PgOptions {
    url: String,
    schema: String,
    max_connections: u32,
    acquire_timeout: Duration,
    application_name: String,
}

impl PgOptions {
    /// Options for the server at `url` (`postgres://user[:password]@host[:port]/database`)
    /// and the store in `schema`: 1 to [`MAX_SCHEMA_LEN`] bytes of `a-z 0-9 _`, starting
    /// with a letter (so it never needs quoting), not starting with `pg_` (reserved).
    pub fn new(url: impl Into<String>, schema: impl Into<String>) -> Result<Self, InvalidSchema> {
        let schema = schema.into();
        let valid = !schema.is_empty()
            && schema.len() <= MAX_SCHEMA_LEN
            && schema
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase())
            && schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !schema.starts_with("pg_");
        if !valid {
            return Err(InvalidSchema(schema));
        }
        Ok(Self {
            url: url.into(),
            schema,
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            application_name: "hunt-store-pg".to_owned(),
        })
    }

    /// The most connections the store's pool opens (16 unless set), besides the one that
    /// listens for notifications.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// How long a call waits for a pooled connection (10 s unless set) before it fails with
    /// [`StoreError::Unavailable`](hunt_core::store::StoreError::Unavailable).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// The `application_name` the store's connections show in `pg_stat_activity`
    /// (`hunt-store-pg` unless set); the listening connection's has ` listener` appended.
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = name.into();
        self
    }

    /// The server's URL, as given (password included).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The pool's size.
    pub fn max_connections_value(&self) -> u32 {
        self.max_connections
    }

    /// How long a call waits for a pooled connection.
    pub fn acquire_timeout_value(&self) -> Duration {
        self.acquire_timeout
    }

    /// The connections' `application_name`.
    pub fn application_name_value(&self) -> &str {
        &self.application_name
    }

    /// The URL without its password, for messages.
    pub fn shown_url(&self) -> String {
        redact(&self.url)
    }
}

impl fmt::Debug for PgOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgOptions")
            .field("url", &self.shown_url())
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("application_name", &self.application_name)
            .finish()
    }
}

/// `url` without the password of its user part, nor a `password=` query parameter.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{user}@{host}")
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{tail}"),
        None => format!("{authority}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_checked() {
        for good in ["hunt", "a", "hunt_test_1", &"a".repeat(MAX_SCHEMA_LEN)] {
            assert!(PgOptions::new("postgres://x", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Hunt",
            "1hunt",
            "_hunt",
            "hunt-x",
            "hunt;drop",
            "pg_catalog",
            "h\"",
            &"a".repeat(MAX_SCHEMA_LEN + 1),
        ] {
            assert_eq!(
                PgOptions::new("postgres://x", bad),
                Err(InvalidSchema(bad.to_owned()))
            );
        }
    }

    #[test]
    fn passwords_are_not_shown() {
        let cases = [
            (
                "postgres://hunt:s3cret@db.example:5432/prod",
                "postgres://hunt@db.example:5432/prod",
            ),
            (
                "postgres://postgres@127.0.0.1:5432/test",
                "postgres://postgres@127.0.0.1:5432/test",
            ),
            (
                "postgres://u:p:q@h/d?sslmode=disable&password=x",
                "postgres://u@h/d?sslmode=disable",
            ),
            ("postgres://h/d?password=x", "postgres://h/d"),
            ("postgresql://h", "postgresql://h"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown, "{url}");
        }
        let debug = format!("{:?}", PgOptions::new("postgres://u:pw@h/d", "s").unwrap());
        assert!(!debug.contains("pw"), "{debug}");
    }
}

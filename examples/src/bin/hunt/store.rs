//! Where hunts are kept: the store named by `--data` (a sled directory, the default) or by
//! `--store` (a PostgreSQL URL, also read from `HUNT_STORE`, then `DATABASE_URL`), the hunt
//! named by `--hunt`, and the secret of sealed answers from `HUNT_SECRET`.
//!
//! [`Selection::open_store`] is the one place that chooses a store; everything else sees an
//! `Arc<dyn Store>`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hunt_core::answer::Secret;
use hunt_core::engine::Engine;
use hunt_core::store::{Store, StoreError};
use hunt_core::{HuntId, Recorded};
use hunt_store_pg::{DEFAULT_SCHEMA, PgOptions, PgStore};
use hunt_store_sled::SledStore;

use crate::failure::Failure;

/// Events replayed on open beyond which a command saves a checkpoint of the state.
pub const CHECKPOINT_AFTER: u64 = 10_000;

/// Challenges from which a command that had to compile the definition at open saves a
/// checkpoint, which carries the compiled hunt: a 100,000-challenge definition takes about a
/// second to parse and validate, opening from the checkpoint a tenth of that.
pub const CHECKPOINT_CHALLENGES: usize = 1_000;

/// The store directory used when `--data` is not given.
pub const DEFAULT_DATA: &str = "hunt-data";

/// The environment variable holding the secret that sealed answers were sealed with.
pub const SECRET_VAR: &str = "HUNT_SECRET";

/// How long a command waits for a store held by another `hunt` process (such as
/// `hunt log --follow`, which holds it for a few milliseconds at each poll).
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// How often a command retries a held store.
const LOCK_RETRY: Duration = Duration::from_millis(25);

/// The environment variable read for a PostgreSQL URL when `--store` is not given, before
/// [`DATABASE_URL_VAR`].
pub const STORE_VAR: &str = "HUNT_STORE";

/// The environment variable read for a PostgreSQL URL last, and only without `--data`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// The store and hunt chosen by the global flags.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `--data`: the store's directory.
    pub data: Option<PathBuf>,
    /// `--hunt`: the hunt's id, when the store holds several.
    pub hunt: Option<String>,
    /// Every `--hunt` given, in order (`hunt serve` serves them all; other commands take at
    /// most one, [`Selection::hunt`]).
    pub hunts: Vec<String>,
    /// `--store` (or `HUNT_STORE`, then `DATABASE_URL`): a PostgreSQL store, instead of sled.
    pub postgres: Option<Postgres>,
}

/// A PostgreSQL store: the server's URL (without `schema=`) and the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postgres {
    /// The URL given, less its `schema` parameter.
    pub url: String,
    /// `--schema`, or `?schema=` of the URL, or `hunt`.
    pub schema: String,
    /// Whether the schema was named (`--schema` or `?schema=`) rather than the default;
    /// `hunt demo` uses a fresh one when it was not.
    pub schema_given: bool,
}

impl Postgres {
    /// The store named by `--store URL` (or the environment), with `--schema`; `None` for
    /// sled. A URL that is not PostgreSQL's, or given together with `--data`, is a mistake.
    pub fn choose(
        store: Option<String>,
        schema: Option<String>,
        data: Option<&Path>,
    ) -> Result<Option<Self>, Failure> {
        let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let url = match (store.or_else(|| env(STORE_VAR)), data) {
            (Some(url), Some(_)) => {
                return Err(Failure::user(format!(
                    "both --data (a sled store) and --store or {STORE_VAR} ({}) are given: \
                     choose one",
                    hunt_store_pg::redact(&url)
                )));
            }
            (Some(url), None) => url,
            (None, Some(_)) => return Ok(None),
            (None, None) => match env(DATABASE_URL_VAR).filter(|url| is_postgres(url)) {
                Some(url) => url,
                None => return Ok(None),
            },
        };
        if !is_postgres(&url) {
            return Err(Failure::user(format!(
                "--store takes a PostgreSQL URL (postgres://user@host:port/database), not \
                 {:?}; a sled store is chosen with --data DIR",
                hunt_store_pg::redact(&url)
            )));
        }
        let (url, from_url) = take_schema(&url);
        let schema = schema.or(from_url);
        let schema_given = schema.is_some();
        let schema = schema.unwrap_or_else(|| DEFAULT_SCHEMA.to_owned());
        Ok(Some(Self {
            url,
            schema,
            schema_given,
        }))
    }

    /// The URL (no password) with `?schema=`, as `--store` takes it.
    pub fn store_arg(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}schema={}",
            hunt_store_pg::redact(&self.url),
            self.schema
        )
    }

    /// The store, as messages name it (no password).
    pub fn shown(&self) -> String {
        format!(
            "{} (schema {})",
            hunt_store_pg::redact(&self.url),
            self.schema
        )
    }

    /// Connects, creating the schema if needed.
    pub async fn open(&self) -> Result<PgStore, Failure> {
        let options = PgOptions::new(self.url.clone(), self.schema.clone())
            .map_err(|e| Failure::user(format!("--schema: {e}")))?
            .max_connections(4)
            .application_name("hunt-cli");
        Ok(PgStore::open(&options).await?)
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` without its `schema=` query parameter, and that parameter's value.
fn take_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(value) => {
                schema = Some(value.to_owned());
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, schema)
}

/// Whether opening may create a new store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Create the directory if it does not exist (`init`, `import`, `demo`).
    IfMissing,
    /// Fail with a hint to run `hunt init` if there is no store yet.
    Never,
}

impl Selection {
    /// The store's directory: `--data`, or `./hunt-data`; for a PostgreSQL store, its URL
    /// and schema, as messages show the store.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(postgres) = &self.postgres {
            return PathBuf::from(postgres.shown());
        }
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA))
    }

    /// Opens the store, waiting a few seconds if another `hunt` process holds a sled one.
    pub async fn open_store(&self, create: Create) -> Result<Arc<dyn Store>, Failure> {
        if let Some(postgres) = &self.postgres {
            return Ok(Arc::new(postgres.open().await?));
        }
        let dir = self.data_dir();
        // A path that exists but is no directory is the store's to refuse, with the reason.
        if create == Create::Never && !dir.exists() {
            return Err(Failure::user(format!(
                "there is no hunt store at {}: load a hunt with `hunt init FILE` first, or \
                 point --data at an existing store",
                dir.display()
            )));
        }
        let store: Arc<dyn Store> = Arc::new(open_sled(&dir).await?);
        Ok(store)
    }

    /// The hunt to act on: `--hunt`, or the only hunt in the store.
    pub async fn hunt_id(&self, store: &dyn Store) -> Result<HuntId, Failure> {
        let hunts = store.hunts().await?;
        let listed = || {
            hunts
                .iter()
                .map(HuntId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let dir = self.data_dir();
        match &self.hunt {
            Some(wanted) => {
                let id = HuntId::new(wanted.as_str()).map_err(|e| Failure::user(e.to_string()))?;
                if hunts.contains(&id) {
                    Ok(id)
                } else if hunts.is_empty() {
                    Err(no_hunt_yet(&dir))
                } else {
                    Err(Failure::user(format!(
                        "the store at {} has no hunt `{id}` (it has: {})",
                        dir.display(),
                        listed()
                    )))
                }
            }
            None => match hunts.as_slice() {
                [] => Err(no_hunt_yet(&dir)),
                [only] => Ok(only.clone()),
                _ => Err(Failure::user(format!(
                    "the store at {} holds several hunts ({}): choose one with --hunt ID",
                    dir.display(),
                    listed()
                ))),
            },
        }
    }

    /// The hunts to serve: every `--hunt` given (each must be in the store), or every hunt
    /// in the store.
    pub async fn hunt_ids(&self, store: &dyn Store) -> Result<Vec<HuntId>, Failure> {
        if self.hunts.is_empty() {
            let hunts = store.hunts().await?;
            if hunts.is_empty() {
                return Err(no_hunt_yet(&self.data_dir()));
            }
            return Ok(hunts);
        }
        let mut ids: Vec<HuntId> = Vec::with_capacity(self.hunts.len());
        for wanted in &self.hunts {
            let one = Self {
                hunt: Some(wanted.clone()),
                ..self.clone()
            };
            let id = one.hunt_id(store).await?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Opens the engine of the selected hunt: loads its definition and its verified
    /// checkpoint, and replays the log after it (or all of it). When it had to replay more
    /// than [`CHECKPOINT_AFTER`] events, or to compile a definition of at least
    /// [`CHECKPOINT_CHALLENGES`] challenges, it saves a new checkpoint before going on, so the
    /// next command opens fast. A failed checkpoint costs speed, never correctness, so it is
    /// not an error (and an empty log has no checkpoint).
    pub async fn open_engine(&self) -> Result<Engine, Failure> {
        let store = self.open_store(Create::Never).await?;
        let hunt = self.hunt_id(&*store).await?;
        let engine = Engine::open(store, &hunt, secret()).await?;
        let opened = engine.opened();
        let compiled_large = !opened.compiled_from_checkpoint
            && engine.snapshot().hunt().challenges.len() >= CHECKPOINT_CHALLENGES;
        if opened.replayed >= CHECKPOINT_AFTER || compiled_large {
            let _ = engine.checkpoint().await;
        }
        Ok(engine)
    }
}

/// The secret of sealed answers, if `HUNT_SECRET` is set. Hunts without sealed answers ignore
/// it; hunts with them fail to open without it, with a message naming the variable.
pub fn secret() -> Option<Secret> {
    std::env::var_os(SECRET_VAR).map(|value| Secret::new(value.into_encoded_bytes()))
}

fn no_hunt_yet(dir: &Path) -> Failure {
    Failure::user(format!(
        "the store at {} holds no hunt yet: load one with `hunt init FILE`",
        dir.display()
    ))
}

/// Opens the sled store in `dir`. A sled directory is held by one process at a time, so a
/// held store is retried for [`LOCK_WAIT`] before giving up with a clear message. A store
/// whose directory refuses writes (read-only media, no write permission) is opened from a
/// copy, for reading only: commands that only read work, the others fail when they write.
pub async fn open_sled(dir: &Path) -> Result<SledStore, Failure> {
    let started = Instant::now();
    loop {
        let opened = match SledStore::open(dir) {
            Err(error) if refuses_writes(&error) => SledStore::open_copy(dir),
            opened => opened,
        };
        match opened {
            Ok(store) => return Ok(store),
            Err(StoreError::Locked { .. }) if started.elapsed() < LOCK_WAIT => {
                tokio::time::sleep(LOCK_RETRY).await;
            }
            Err(StoreError::Locked { .. }) => {
                return Err(Failure::Store(format!(
                    "the store at {} is in use by another process (waited {} s); a sled store \
                     serves one process at a time: stop the other one and retry",
                    dir.display(),
                    LOCK_WAIT.as_secs()
                )));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Whether a failed open says the directory refuses writes.
fn refuses_writes(error: &StoreError) -> bool {
    matches!(
        crate::failure::io_kind(error),
        Some(std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied)
    )
}

/// Events read per store call.
const READ_CHUNK: usize = 10_000;

/// Every event of `hunt` after position `after`, in order.
pub async fn read_log(
    store: &dyn Store,
    hunt: &HuntId,
    after: u64,
) -> Result<Vec<Recorded>, Failure> {
    let mut log = Vec::new();
    let mut position = after;
    loop {
        let chunk = store.read(hunt, position, READ_CHUNK).await?;
        let full = chunk.len() == READ_CHUNK;
        position = chunk.last().map_or(position, |recorded| recorded.seq);
        log.extend(chunk);
        if !full {
            return Ok(log);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_comes_from_the_url_or_the_flag() {
        let chosen = |store: &str, schema: Option<&str>| {
            Postgres::choose(Some(store.to_owned()), schema.map(str::to_owned), None)
                .map_err(|e| format!("{e:?}"))
        };
        assert_eq!(
            chosen("postgres://u@h/d?schema=finals&sslmode=disable", None),
            Ok(Some(Postgres {
                url: "postgres://u@h/d?sslmode=disable".to_owned(),
                schema: "finals".to_owned(),
                schema_given: true,
            }))
        );
        assert_eq!(
            chosen("postgresql://u@h/d?schema=finals", Some("other")),
            Ok(Some(Postgres {
                url: "postgresql://u@h/d".to_owned(),
                schema: "other".to_owned(),
                schema_given: true,
            }))
        );
        assert_eq!(
            chosen("postgres://u@h/d", None).map(|p| p.map(|p| (p.schema, p.schema_given))),
            Ok(Some(("hunt".to_owned(), false)))
        );
        assert!(chosen("mysql://u@h/d", None).is_err());
        let both = Postgres::choose(
            Some("postgres://u:pw@h/d".to_owned()),
            None,
            Some(Path::new("dir")),
        );
        let message = format!("{:?}", both.expect_err("both --data and --store"));
        assert!(
            message.contains("choose one") && !message.contains("pw"),
            "{message}"
        );
    }
}

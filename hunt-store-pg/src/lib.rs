//! The PostgreSQL store of hunt: [`PgStore`], a [`Store`] that several processes share.
//!
//! Each service process keeps its hunts' state in memory and follows the log; PostgreSQL is
//! the one shared, durable copy (and brings replicas and high availability of its own). The
//! store adds no cache and no consensus:
//! - **a gap-free, ordered log** per hunt: positions are contiguous, moved by a conditional
//!   `UPDATE` of the hunt's end in the same statement that inserts the events, never by a
//!   sequence, so a reader following "position > last seen" never skips an event that
//!   commits later (`log.rs`);
//! - **exactly-once by construction**: every write is one statement under READ COMMITTED
//!   whose condition and write are atomic (row locks, unique keys), never a check in the
//!   application followed by a write;
//! - **failures say what was written**: a failure before the statement was sent, or an
//!   error the server answered with, wrote nothing ([`StoreError::Unavailable`]); a
//!   connection lost once it may have been sent is [`StoreError::OutcomeUnknown`], which the
//!   engine resolves by command ids (`error.rs`);
//! - **fair**: [`Store::take_turn`] is a transaction holding the row lock of the hunt's
//!   end, which every append takes too, so engines of several processes that conflicted
//!   take turns in the order they asked instead of one winning every race; a turn costs
//!   two round trips (`BEGIN`, the locks and the read in one, the append and `COMMIT` in
//!   the other) where a plain append costs one (`turn.rs`);
//! - **live**: each append notifies (`pg_notify`, delivered on commit) with the hunt and its
//!   new end; one listening connection per store wakes [`Store::wait_past`], and re-reads
//!   after a reconnect, so a lost notification delays and never loses (`notify.rs`).
//!
//! A store lives in a schema of the caller's choosing, created if missing, with its
//! migrations embedded and applied under an advisory lock (`schema.rs`), so several
//! deployments, and every test, share one server.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use hunt_core::engine::Engine;
//! use hunt_core::{IdempotencyKey, Timestamp, Verdict};
//! use hunt_store_pg::PgStore;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let definition = r#"
//!     id = "tiny"
//!     title = "A tiny hunt"
//!     start = 2026-11-28T09:00:00Z
//!     end = 2026-11-28T21:00:00Z
//!
//!     [[challenge]]
//!     id = "first"
//!     title = "First"
//!     points = 100
//!     answers = ["treasure"]
//! "#;
//! let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
//!
//! let store = PgStore::connect("postgres://postgres@127.0.0.1:5432/test", "hunt").await?;
//! let engine = Engine::create(Arc::new(store), definition, None).await?;
//! let team = engine.register("Sea Otters", None, now).await?;
//! // `submit` returns once the verdict's event is committed.
//! let verdict = engine.submit(team, "first", "Treasure", IdempotencyKey(7), now).await?;
//! assert_eq!(verdict, Verdict::Correct { points: 100, first_solve: true });
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//! In the store's schema: `definitions(hunt, source, digest)`, `log_end(hunt, end_pos)`,
//! `events(hunt, pos, body)` (the core's serde JSON as bytes, as hunt-store-sled keeps
//! them), `checkpoints(hunt, seq, body)` (the core's [`Checkpoint::to_bytes`] frame), and
//! sqlx's `_sqlx_migrations`, whose newest version is the layout version: a schema written
//! by a newer build is refused ([`PgError::SchemaTooNew`]) before anything is changed.
#![deny(missing_docs)]

mod checkpoints;
mod codec;
mod definitions;
mod error;
mod log;
mod notify;
mod options;
mod schema;
mod turn;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hunt_core::store::{Checkpoint, Digest, Store, StoreError, Turn, Wait};
use hunt_core::{Event, HuntId, Recorded};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres};

use crate::error::connect_failed;
use crate::notify::{Hub, Listening};

pub use crate::error::PgError;
pub use crate::options::{DEFAULT_SCHEMA, InvalidSchema, MAX_SCHEMA_LEN, PgOptions, redact};
pub use crate::schema::LAYOUT_VERSION;

/// How long a pooled connection may sit idle before it is pinged when handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A [`Store`] in a schema of a PostgreSQL database, shared by any number of handles and
/// processes.
///
/// Holds a pool of connections (with the schema as their `search_path`) and one more
/// connection that listens for notifications, from a tokio task that ends when the store
/// is dropped. Needs a tokio runtime.
pub struct PgStore {
    pool: PgPool,
    schema: String,
    /// The URL without its password, for messages.
    url: String,
    /// The notification channel of this schema.
    channel: String,
    hub: Arc<Hub>,
    _listening: Listening,
}

impl PgStore {
    /// Connects to the server at `url` and opens the store in `schema`, with the default
    /// [`PgOptions`]. See [`PgStore::open`].
    pub async fn connect(url: &str, schema: &str) -> Result<Self, StoreError> {
        let options = PgOptions::new(url, schema)
            .map_err(|e| StoreError::unavailable(PgError::InvalidSchema(e)))?;
        Self::open(&options).await
    }

    /// Connects and opens the store `options` name: creates the schema if it is missing and
    /// applies the migrations it lacks (under sqlx's advisory lock), then starts listening
    /// for notifications.
    ///
    /// Fails with [`StoreError::Unavailable`] whose source is a [`PgError`]:
    /// [`PgError::NotAnswering`] when no server answers (naming the URL without its
    /// password), [`PgError::Refused`] when the server refuses the connection,
    /// [`PgError::SchemaTooNew`] when the schema was written by a newer build (then nothing
    /// is changed), [`PgError::SchemaMismatch`] when its migrations differ from this build's.
    pub async fn open(options: &PgOptions) -> Result<Self, StoreError> {
        let url = options.shown_url();
        let schema = options.schema().to_owned();
        let base: PgConnectOptions = options.url().parse().map_err(|source| {
            StoreError::unavailable(PgError::BadUrl {
                url: url.clone(),
                source,
            })
        })?;
        let app = options.application_name_value();
        // One connection first: a server that does not answer fails fast and plainly here,
        // and a schema too new is refused before the migrator touches it.
        let mut probe = PgConnection::connect_with(&base.clone().application_name(app))
            .await
            .map_err(|e| connect_failed(url.clone(), e))?;
        schema::check_version(&mut probe, &url, &schema).await?;
        let _ = probe.close().await;
        let pooled = base
            .clone()
            .application_name(app)
            .options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections_value())
            .acquire_timeout(options.acquire_timeout_value())
            // sqlx pings every pooled connection before handing it out: one round trip more
            // per store call, on a path that takes two or three. Only a connection that sat
            // idle may have been cut meanwhile; one in steady use that breaks fails its call,
            // which maps to `Unavailable` or, for a write, `OutcomeUnknown`, as any
            // connection lost mid-call does.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_lazy_with(pooled);
        schema::migrate(&pool, &url, &schema).await?;
        let hub = Arc::new(Hub::default());
        let channel = format!("hunt_log_{schema}");
        let listening = notify::listen(
            base.application_name(&format!("{app} listener")),
            channel.clone(),
            hub.clone(),
        )
        .await
        .map_err(|e| connect_failed(url.clone(), e))?;
        Ok(Self {
            pool,
            schema,
            url,
            channel,
            hub,
            _listening: listening,
        })
    }

    /// The schema holding the store.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The pool of connections, with the schema as their `search_path`.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn channel(&self) -> &str {
        &self.channel
    }

    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }

    /// A pooled connection, or [`StoreError::Unavailable`]: nothing has been sent yet.
    pub(crate) async fn acquire(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        self.pool.acquire().await.map_err(|e| self.unavailable(e))
    }

    /// A failure that wrote nothing: [`PgError::NotAnswering`] when no connection could be
    /// had, the client's error otherwise.
    pub(crate) fn unavailable(&self, error: sqlx::Error) -> StoreError {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => {
                StoreError::unavailable(PgError::NotAnswering {
                    url: self.url.clone(),
                    source: error,
                })
            }
            other => StoreError::unavailable(other),
        }
    }
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.url)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for PgStore {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        log::append(self, hunt, expected, events).await
    }

    async fn take_turn<'s>(
        &'s self,
        hunt: &HuntId,
    ) -> Result<Option<Box<dyn Turn + 's>>, StoreError> {
        Ok(Some(Box::new(turn::take(self, hunt).await?)))
    }

    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        log::read(self, hunt, after, limit).await
    }

    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        log::end(self, hunt).await
    }

    async fn read_positions(
        &self,
        hunt: &HuntId,
        positions: &[u64],
    ) -> Result<Vec<Recorded>, StoreError> {
        log::read_positions(self, hunt, positions).await
    }

    async fn wait_past(&self, hunt: &HuntId, position: u64) -> Result<Wait, StoreError> {
        let end = self
            .hub
            .wait_past(hunt.as_str(), position, || log::end(self, hunt))
            .await?;
        Ok(Wait::Moved(end))
    }

    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        definitions::save(self, hunt, source, replaces).await
    }

    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        definitions::load(self, hunt).await
    }

    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        definitions::hunts(self).await
    }

    async fn save_checkpoint(
        &self,
        hunt: &HuntId,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError> {
        checkpoints::save(self, hunt, checkpoint).await
    }

    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        checkpoints::load(self, hunt).await
    }
}

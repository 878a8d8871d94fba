//! What the tests share: the server's URL, and a fresh schema per test that is dropped when
//! the test ends.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hunt_store_pg::{PgOptions, PgStore};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The environment variable naming the server the tests use.
pub const URL_VAR: &str = "HUNT_PG_URL";

/// The server used when `HUNT_PG_URL` is not set.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The prefix of every schema the tests create.
const PREFIX: &str = "hunt_test_";

/// Schemas older than this, left by a test run that was killed, are dropped by the next run.
const STALE_AFTER: Duration = Duration::from_secs(3_600);

/// The server's URL: `HUNT_PG_URL`, or the machine's own server.
pub fn url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// Panics, saying what to set up, because the server at `url` did not answer.
pub fn no_server(error: &dyn std::error::Error) -> ! {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        chain.push_str(": ");
        chain.push_str(&next.to_string());
        source = next.source();
    }
    panic!(
        "the hunt-store-pg tests need a PostgreSQL server at {} (set {URL_VAR} to another \
         one; start the machine's own with `pg_ctlcluster 15 main start`): {chain}",
        hunt_store_pg::PgOptions::new(url(), "x").map_or_else(|_| url(), |o| o.shown_url())
    )
}

/// A plain connection to the server, not tied to any schema.
pub async fn connection() -> PgConnection {
    PgConnection::connect(&url())
        .await
        .unwrap_or_else(|e| no_server(&e))
}

/// A schema of the test's own, dropped (with everything in it) when this is dropped.
#[derive(Debug)]
pub struct Schema {
    name: String,
}

impl Schema {
    /// A fresh schema name (nothing is created until a store opens it).
    pub async fn fresh() -> Self {
        static SWEEP: Once = Once::new();
        let mut sweep = false;
        SWEEP.call_once(|| sweep = true);
        if sweep {
            drop_stale().await;
        }
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let secs = now_secs();
        let random = RandomState::new().hash_one((
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            SystemTime::now(),
        ));
        Self {
            name: format!("{PREFIX}{secs}_{:012x}", random & 0xffff_ffff_ffff),
        }
    }

    /// The schema `name`, made by another process of this test, which drops it: forget this
    /// one instead of dropping it.
    pub fn named(name: String) -> Self {
        Self { name }
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The options of a store in this schema, with a pool small enough for tests in
    /// parallel.
    pub fn options(&self) -> PgOptions {
        self.options_at(&url())
    }

    /// The options of a store in this schema on the server at `url`.
    pub fn options_at(&self, url: &str) -> PgOptions {
        PgOptions::new(url, &self.name)
            .expect("test schema names are valid")
            .max_connections(8)
            .application_name(format!("hunt-test {}", self.name))
    }

    /// A new store (a pool of its own) on this schema.
    pub async fn open(&self) -> PgStore {
        PgStore::open(&self.options())
            .await
            .unwrap_or_else(|e| no_server(&e))
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // The test's runtime may be shutting down: drop the schema from a thread with a
        // runtime and a connection of its own.
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test schema");
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&url()).await?;
                drop_schema(&mut connection, &name).await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("note: the test schema {} was not dropped: {e}", self.name);
        }
    }
}

async fn drop_schema(connection: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    // Test schema names are made here, of a-z, 0-9 and _ only.
    sqlx::query(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
    )))
    .execute(connection)
    .await
    .map(drop)
}

/// Drops the test schemas left by runs that were killed before they could drop them.
async fn drop_stale() {
    let mut connection = connection().await;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'hunt\\_test\\_%'",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap_or_default();
    let now = now_secs();
    for name in names {
        let born = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if born.is_some_and(|born| now.saturating_sub(born) > STALE_AFTER.as_secs()) {
            let _ = drop_schema(&mut connection, &name).await;
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The server's address, and `url` with that address replaced by `addr` (for a proxy).
pub fn through(addr: std::net::SocketAddr) -> (std::net::SocketAddr, String) {
    let options: sqlx::postgres::PgConnectOptions =
        url().parse().expect("HUNT_PG_URL is a PostgreSQL URL");
    let host = options.get_host();
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    let server = format!("{host}:{}", options.get_port())
        .parse()
        .expect("the tests' server is at an IP address");
    let proxied = format!(
        "postgres://{}@{addr}/{}",
        options.get_username(),
        options.get_database().unwrap_or("postgres")
    );
    (server, proxied)
}

/// Every event of `hunt`, in order.
pub async fn read_all(
    store: &dyn hunt_core::store::Store,
    hunt: &hunt_core::HuntId,
) -> Vec<hunt_core::Recorded> {
    store
        .read(hunt, 0, usize::MAX)
        .await
        .expect("the log reads")
}

//! The CLI on a PostgreSQL store: the schemas of the tests that run on each store
//! ([`Schema`], on the server named by `HUNT_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, which must answer: a test fails, saying so,
//! when it does not), and what only PostgreSQL has: `HUNT_STORE` with `?schema=`, a server
//! that does not answer, `--store` with `--data`.

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::{DURING, Hunt, Run, Store, sample};

/// The test server's URL: `HUNT_PG_URL`, or the machine's default.
pub fn url() -> String {
    std::env::var("HUNT_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A schema of the test's own (created by the first command that opens it), dropped when
/// the test ends.
#[derive(Debug)]
pub struct Schema(String);

impl Schema {
    /// A name no other test of any run takes.
    pub fn fresh() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Under the store's 48-byte limit; named like the store crate's test schemas, so
        // that a run that was killed leaves nothing the next run of those tests does not
        // sweep.
        Self(format!(
            "hunt_test_{}_cli_{}_{}_{}",
            nanos / 1_000_000_000,
            nanos % 1_000_000_000,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// The schema `name`, made by the binary, to be dropped when the test ends.
    pub fn named(name: String) -> Self {
        Self(name)
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.0.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dropped = runtime.block_on(async {
            let mut connection = PgConnection::connect(&url()).await?;
            sqlx::query(AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
            )))
            .execute(&mut connection)
            .await
        });
        if let Err(e) = dropped {
            eprintln!("note: the test schema {name} was not dropped: {e}");
        }
    }
}

#[test]
fn another_process_reads_the_schema_through_hunt_store() {
    let hunt = Hunt::empty_on(Store::Postgres);
    let schema = hunt.schema().expect("a PostgreSQL store").name();
    let loaded = hunt.ok(&["init", sample("hackathon.toml").to_str().expect("UTF-8")]);
    assert!(
        loaded.contains("Loaded hunt `hackathon-2026`") && loaded.contains(schema),
        "{loaded}"
    );
    hunt.ok(&["team", "add", "Sea Otters", "--at", DURING]);
    hunt.ok(&["team", "add", "Null Pointers", "--at", DURING]);
    let verdict = hunt.submit("Sea Otters", "welcome", "anchors");
    assert!(
        verdict.starts_with("Correct! +100 points, first blood"),
        "{verdict}"
    );
    // Another process, reading the same schema through HUNT_STORE with ?schema=.
    let board = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .arg("board")
        .env("HUNT_STORE", format!("{}?schema={schema}", url()))
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("the hunt binary runs");
    let board = Run::from(board);
    assert_eq!(board.code, 0, "{board:#?}");
    let otters = board
        .stdout
        .lines()
        .find(|line| line.contains("Sea Otters"))
        .unwrap_or_else(|| panic!("no Sea Otters in {}", board.stdout));
    assert!(otters.contains("100"), "{}", board.stdout);
    assert!(board.stdout.contains("Null Pointers"), "{}", board.stdout);
}

#[test]
fn a_server_that_does_not_answer_is_a_store_failure() {
    let run = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args([
            "--store",
            "postgres://hunt:s3cret@127.0.0.1:1/test",
            "board",
        ])
        .env_remove("HUNT_STORE")
        .env_remove("DATABASE_URL")
        .output()
        .expect("the hunt binary runs");
    let run = Run::from(run);
    run.fails(
        3,
        "no PostgreSQL server answers at postgres://hunt@127.0.0.1:1/test",
    );
    assert!(run.stderr.contains("start PostgreSQL"), "{run:#?}");
    assert!(!run.stderr.contains("s3cret"), "{run:#?}");
}

#[test]
fn a_store_url_and_a_data_directory_together_are_a_mistake() {
    let run = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["--store", &url(), "--data", "somewhere", "board"])
        .env_remove("HUNT_STORE")
        .env_remove("DATABASE_URL")
        .output()
        .expect("the hunt binary runs");
    Run::from(run).fails(1, "choose one");
}

//! The CLI on a PostgreSQL store (`--store URL`, `HUNT_STORE`): `init`, `team add`, `submit`
//! and `board` on a schema of the test's own, on the server named by `HUNT_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), which must answer: the test fails, saying so,
//! when it does not.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::{DURING, Run, lines_of, sample};

fn url() -> String {
    std::env::var("HUNT_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A schema of the test's own, dropped when the test ends.
struct Schema(String);

impl Schema {
    fn fresh(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Under the store's 48-byte limit; named like the crate's test schemas, so that a
        // run that was killed leaves nothing the next run of those tests does not sweep.
        Self(format!(
            "hunt_test_{}_cli_{tag}_{}",
            nanos / 1_000_000_000,
            nanos % 1_000_000_000
        ))
    }

    /// `hunt --store URL --schema NAME args…`.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hunt"));
        command
            .args(["--store", &url(), "--schema", &self.0])
            .args(args)
            .env_remove("HUNT_SECRET")
            .env_remove("HUNT_STORE")
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1");
        command
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let run = Run::from(self.command(args).output().expect("the hunt binary runs"));
        assert_eq!(
            run.code,
            0,
            "hunt {args:?} on PostgreSQL at {} (set HUNT_PG_URL to a running server): {run:#?}",
            url()
        );
        run.stdout
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
fn init_team_submit_and_board_run_on_postgres() {
    let schema = Schema::fresh("play");
    let loaded = schema.ok(&["init", sample("hackathon.toml").to_str().expect("UTF-8")]);
    assert!(
        loaded.contains("Loaded hunt `hackathon-2026`") && loaded.contains(&schema.0),
        "{loaded}"
    );
    schema.ok(&["team", "add", "Sea Otters", "--at", DURING]);
    schema.ok(&["team", "add", "Null Pointers", "--at", DURING]);
    let verdict = schema.ok(&["submit", "Sea Otters", "welcome", "anchors", "--at", DURING]);
    assert!(
        verdict.starts_with("Correct! +100 points, first blood"),
        "{verdict}"
    );
    // Another process, reading the same schema through HUNT_STORE with ?schema=.
    let mut command = Command::new(env!("CARGO_BIN_EXE_hunt"));
    let board = command
        .arg("board")
        .env("HUNT_STORE", format!("{}?schema={}", url(), schema.0))
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
    let again = schema.ok(&["submit", "Sea Otters", "welcome", "anchors", "--at", DURING]);
    assert!(again.starts_with("Already solved"), "{again}");
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

#[test]
fn follow_on_postgres_prints_another_process_s_events_without_polling() {
    let schema = Schema::fresh("follow");
    schema.ok(&["init", sample("hackathon.toml").to_str().expect("UTF-8")]);
    schema.ok(&["team", "add", "Sea Otters", "--at", DURING]);
    let mut follower = schema
        .command(&["log", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hunt log --follow starts");
    let received = lines_of(&mut follower);
    let wait = Duration::from_secs(20);
    let first = received.recv_timeout(wait).expect("the existing event");
    assert!(first.contains("Sea Otters"), "{first}");
    // The follower keeps the store open and waits on LISTEN; another process appends.
    let sent = Instant::now();
    let verdict = schema.ok(&["submit", "Sea Otters", "welcome", "anchors", "--at", DURING]);
    assert!(verdict.starts_with("Correct!"), "{verdict}");
    let line = received.recv_timeout(wait).expect("the new event, live");
    let took = sent.elapsed();
    assert!(
        line.contains("Sea Otters") && line.contains("correct"),
        "{line}"
    );
    follower.kill().expect("killed");
    follower.wait().expect("reaped");
    eprintln!("note: the follower printed the solve {took:?} after the submit started");
}

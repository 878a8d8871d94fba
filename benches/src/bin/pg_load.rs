//! Acknowledged submissions per second on the PostgreSQL store, with 1, 8 and 64 concurrent
//! submitters in one process (one engine, which groups concurrent commands into one
//! append), and the latency of one acknowledged submission with no contention.
//!
//! Each run uses a fresh schema on the server named by `HUNT_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards.
//!
//! Run with `cargo run --release -p benches --bin pg_load [SECONDS_PER_RUN]`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{IdempotencyKey, TeamId, Timestamp};
use hunt_store_pg::{PgOptions, PgStore};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

const DEFINITION: &str = r#"
id = "load"
title = "Load"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "c0"
title = "Zero"
points = 100
answers = ["anchor"]

[[challenge]]
id = "c1"
title = "One"
points = 200
answers = ["compass"]
"#;

const TEAMS: u32 = 256;

fn url() -> String {
    std::env::var("HUNT_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

async fn drop_schema(schema: &str) {
    let mut connection = PgConnection::connect(&url()).await.expect("connects");
    sqlx::query(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
    )))
    .execute(&mut connection)
    .await
    .expect("drops the bench schema");
}

/// An engine on a fresh schema, with [`TEAMS`] teams.
async fn engine(schema: &str) -> (Arc<Engine>, Vec<TeamId>) {
    drop_schema(schema).await;
    let options = PgOptions::new(url(), schema)
        .expect("a valid schema")
        .max_connections(16);
    let store: Arc<dyn Store> =
        Arc::new(PgStore::open(&options).await.unwrap_or_else(|e| {
            panic!("pg_load needs PostgreSQL at {} (HUNT_PG_URL): {e}", url())
        }));
    let engine = Engine::create(store, DEFINITION, None)
        .await
        .expect("the hunt loads");
    let mut teams = Vec::new();
    for t in 0..TEAMS {
        teams.push(
            engine
                .register(&format!("Team {t}"), None, now())
                .await
                .expect("registers"),
        );
    }
    (Arc::new(engine), teams)
}

/// Submissions acknowledged per second by `submitters` tasks over `seconds`, and the
/// latencies of each, and the bytes per event the log takes on disk.
async fn run(submitters: u64, seconds: f64) -> (f64, Vec<Duration>, f64) {
    let schema = format!("hunt_bench_load_{submitters}");
    let (engine, teams) = engine(&schema).await;
    let acknowledged = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for task in 0..submitters {
        let (engine, teams, acknowledged) = (engine.clone(), teams.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = 0_u64;
            while Instant::now() < stop {
                let team = teams[((task * 7 + i) % teams.len() as u64) as usize];
                // Mostly wrong guesses, as in a real hunt: each one is an event.
                let answer = format!("guess {task} {i}");
                let key = IdempotencyKey(u128::from(task) << 64 | u128::from(i));
                let started = Instant::now();
                engine
                    .submit(team, "c0", &answer, key, now())
                    .await
                    .expect("a submission");
                latencies.push(started.elapsed());
                acknowledged.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a submitter does not panic"));
    }
    let rate = acknowledged.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    drop(engine);
    let bytes = bytes_per_event(&schema).await;
    drop_schema(&schema).await;
    latencies.sort();
    (rate, latencies, bytes)
}

/// The events table's size on disk (rows, indexes and TOAST) per event.
async fn bytes_per_event(schema: &str) -> f64 {
    let mut connection = PgConnection::connect(&url()).await.expect("connects");
    let (bytes, events): (i64, i64) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT pg_total_relation_size('\"{schema}\".events'), \
         (SELECT count(*) FROM \"{schema}\".events)"
    )))
    .fetch_one(&mut connection)
    .await
    .expect("the sizes read");
    bytes as f64 / events.max(1) as f64
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map_or(5.0, |s| s.parse().expect("seconds per run"));
    for submitters in [1, 8, 64] {
        let (rate, latencies, bytes) = run(submitters, seconds).await;
        println!(
            "{submitters:>3} submitters: {rate:>8.0} acknowledged submissions/s, latency p50 \
             {:?}, p99 {:?} ({} submissions, {bytes:.0} bytes per event on disk)",
            percentile(&latencies, 50),
            percentile(&latencies, 99),
            latencies.len()
        );
    }
}

//! Opening a large hunt on the PostgreSQL store: a judged log of 10,000 teams and 1,000,000
//! events (the sled reopen bench's hunt, `benches::judged_log`) appended in batches of
//! 10,000, then `PgStore::open` plus `Engine::open` from the log alone and from a checkpoint
//! at its end, each with a fresh store (a pool of its own); and the bytes per event the log
//! takes in the database.
//!
//! Uses the schema `hunt_bench_open` on the server named by `HUNT_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards.
//!
//! Run with `cargo run --release -p benches --bin pg_open [EVENTS]` (default 1,000,000).
//!
//! Measured here (2 shared cores): appended in 6-7 s; 260 bytes per event in the events
//! table (rows, index, TOAST); open from the log alone 8.1-8.6 s; a checkpoint at the end
//! written in 0.8-0.9 s; open from it 0.43-0.53 s.
//!
//! Where the open from the log goes, from the breakdown this bench prints (3 runs on a
//! machine loaded to 9-10 by parallel builds, so every figure is 3-4× the quiet one): the
//! open 25.8-31.6 s; applying the 1M events in memory 3.7-5.1 s; reading them from the store
//! in chunks of 10,000 (fetch and decode, no state) 13-24 s, and fetching the read's rows
//! with no decoding at all 17-18 s in chunks of 10,000 but 10-11 s in chunks of 100,000. So
//! the time goes to the 100 round trips of fetching and waiting for the server, not to
//! decoding JSON (the read with decoding is no slower than the bare fetch) nor to applying.
//! The read's statement itself ran 24 ms per chunk with its outer sort and 10-13 ms without
//! (`EXPLAIN ANALYZE`), which is now gone.
//!
//! Since then the engine reads 100,000 events per call while opening (`OPEN_CHUNK` in
//! hunt-core's engine; 10,000 while catching up). On a quiet machine (load about 1, three runs
//! of the new build and two of the old, interleaved) the bare fetch took 3.5-4.9 s in chunks
//! of 100,000 against 6.4-9.4 s in chunks of 10,000 in the same runs; the whole open from
//! the log varied more between runs than between builds (old 5.5 and 12.4 s, new 6.3-8.6 s).
//! Fetching the next chunk while applying one is what is left to gain.

use std::sync::Arc;
use std::time::Instant;

use hunt_core::engine::Engine;
use hunt_core::state::HuntState;
use hunt_core::store::Store;
use hunt_store_pg::{PgOptions, PgStore};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

const SCHEMA: &str = "hunt_bench_open";

fn url() -> String {
    std::env::var("HUNT_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

async fn sql(statement: &str) -> (i64, i64) {
    let mut connection = PgConnection::connect(&url())
        .await
        .unwrap_or_else(|e| panic!("pg_open needs PostgreSQL at {} (HUNT_PG_URL): {e}", url()));
    sqlx::query_as(AssertSqlSafe(statement.to_owned()))
        .fetch_one(&mut connection)
        .await
        .expect("the statement runs")
}

async fn store() -> Arc<PgStore> {
    let options = PgOptions::new(url(), SCHEMA).expect("a valid schema");
    Arc::new(PgStore::open(&options).await.expect("the store opens"))
}

/// Opens the hunt with a fresh store; prints how long it took and from what.
async fn open(what: &str) -> Engine {
    let started = Instant::now();
    let store = store().await;
    let engine = Engine::open(store, &benches::hunt().id, None)
        .await
        .expect("the hunt opens");
    println!(
        "open from {what}: {:.2?} (checkpoint {:?}, {} events replayed, {} teams)",
        started.elapsed(),
        engine.opened().checkpoint,
        engine.opened().replayed,
        engine.snapshot().team_count()
    );
    engine
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |s| s.parse().expect("a number of events"));
    let teams = 10_000.min(events as u32);
    let mut connection = PgConnection::connect(&url()).await.expect("connects");
    sqlx::query(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"
    )))
    .execute(&mut connection)
    .await
    .expect("drops the bench schema");

    let started = Instant::now();
    let (log, _) = benches::judged_log(teams, events, 7);
    println!(
        "a log of {teams} teams and {events} events decided in {:.1?}",
        started.elapsed()
    );
    let hunt = benches::hunt().id.clone();
    let started = Instant::now();
    {
        let store = store().await;
        store
            .save_definition(&hunt, &benches::hunt_source(), None)
            .await
            .expect("saves");
        let mut end = 0;
        for chunk in log.chunks(10_000) {
            let events: Vec<_> = chunk.iter().map(|r| r.event.clone()).collect();
            end = store.append(&hunt, end, &events).await.expect("appends");
        }
    }
    let appended_in = started.elapsed();
    // Where an open's time goes: applying the log in memory (no store), then reading it
    // from the store (fetching and decoding, no state).
    let applying = Instant::now();
    let mut state = HuntState::new(benches::hunt(), None).expect("a state");
    {
        let mut bulk = state.bulk();
        for recorded in &log {
            bulk.apply(recorded).expect("the log applies");
        }
    }
    println!(
        "applied in memory, no store: {:.2?} ({} teams)",
        applying.elapsed(),
        state.team_count()
    );
    drop(state);
    drop(log);
    let reading = Instant::now();
    {
        let store = store().await;
        let (mut after, mut read) = (0, 0);
        loop {
            let chunk = store.read(&hunt, after, 10_000).await.expect("reads");
            read += chunk.len();
            match chunk.last() {
                Some(last) => after = last.seq,
                None => break,
            }
        }
        println!(
            "read from the store in chunks of 10,000, no state: {:.2?} ({read} events)",
            reading.elapsed()
        );
    }
    // The same statement as the store's read, fetched with no decoding, in chunks of several
    // sizes: the round trips and the transfer alone.
    for chunk in [10_000_i64, 100_000] {
        let raw = Instant::now();
        let store = store().await;
        let (mut after, mut fetched) = (0_i64, 0);
        loop {
            let rows = sqlx::query(
                "SELECT l.end_pos, e.pos, e.body \
                 FROM (SELECT coalesce((SELECT end_pos FROM log_end WHERE hunt = $1), 0) \
                 AS end_pos) l \
                 LEFT JOIN LATERAL (SELECT pos, body FROM events \
                 WHERE hunt = $1 AND pos > $2 AND pos <= l.end_pos ORDER BY pos LIMIT $3) e \
                 ON true ORDER BY e.pos",
            )
            .bind(hunt.as_str())
            .bind(after)
            .bind(chunk)
            .fetch_all(store.pool())
            .await
            .expect("fetches");
            let got = rows
                .iter()
                .filter(|r| r.get::<Option<i64>, _>(1).is_some())
                .count();
            fetched += got;
            if got == 0 {
                break;
            }
            after += got as i64;
        }
        println!(
            "fetched with the read's statement in chunks of {chunk}, not decoded: {:.2?} \
             ({fetched} rows)",
            raw.elapsed()
        );
    }
    let (bytes, count) = sql(&format!(
        "SELECT pg_total_relation_size('{SCHEMA}.events'), \
         (SELECT count(*) FROM {SCHEMA}.events)"
    ))
    .await;
    println!(
        "appended in batches of 10,000 in {appended_in:.1?}; events table {:.1} MiB, {:.0} bytes \
         per event",
        bytes as f64 / f64::from(1 << 20),
        bytes as f64 / count.max(1) as f64
    );

    let engine = open("the log alone").await;
    let started = Instant::now();
    let seq = engine.checkpoint().await.expect("checkpoints");
    println!("checkpoint at {seq} written in {:.2?}", started.elapsed());
    drop(engine);
    let engine = open("the checkpoint").await;
    assert_eq!(engine.opened().checkpoint, Some(seq));
    drop(engine);

    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {SCHEMA} CASCADE")))
        .execute(&mut connection)
        .await
        .expect("drops the bench schema");
}

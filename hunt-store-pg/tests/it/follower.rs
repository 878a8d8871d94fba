//! A follower that learns of appends only from notifications keeps up while its listening
//! connection is terminated (`pg_terminate_backend`) again and again during a load, and ends
//! in the same state as a fresh replay of the log.
//!
//! `HUNT_SOAK=1` raises the number of terminations from 50 to 500.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{HuntId, IdempotencyKey, TeamId, Timestamp};
use hunt_store_pg::PgStore;

use crate::support::{Schema, connection};

const DEFINITION: &str = r#"
id = "follow"
title = "Follow the log"
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
max_attempts = 5
"#;

const ANSWERS: [&str; 4] = ["anchor", "compass", "rope", "sail"];

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_survives_terminated_listeners_and_matches_a_replay() {
    let kills: u64 = if std::env::var_os("HUNT_SOAK").is_some() {
        500
    } else {
        50
    };
    let schema = Schema::fresh().await;
    let hunt = HuntId::new("follow").expect("a valid id");
    let writer_store: Arc<dyn Store> = Arc::new(schema.open().await);
    let writer = Arc::new(
        Engine::create(writer_store.clone(), DEFINITION, None)
            .await
            .expect("the hunt loads"),
    );
    let mut teams: Vec<TeamId> = Vec::new();
    for t in 0..8 {
        teams.push(
            writer
                .register(&format!("Team {t}"), None, now())
                .await
                .expect("registers"),
        );
    }
    let app = format!("hunt-test {} follower", schema.name());
    let follower_store = Arc::new(
        PgStore::open(&schema.options().application_name(&app))
            .await
            .expect("the follower's store opens"),
    );
    let follower = Arc::new(
        Engine::open(follower_store.clone(), &hunt, None)
            .await
            .expect("the follower opens"),
    );

    // The follower: waits for a notification past what it has, then catches up. No polling.
    let following = tokio::spawn({
        let (follower, store, hunt) = (follower.clone(), follower_store.clone(), hunt.clone());
        async move {
            loop {
                let seen = follower.snapshot().seq();
                if store.wait_past(&hunt, seen).await.is_ok() {
                    let _ = follower.catch_up().await;
                } else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    });

    // The load, until the terminations are done.
    let done = Arc::new(AtomicBool::new(false));
    let submitted = Arc::new(AtomicU64::new(0));
    let mut load = Vec::new();
    for task in 0..4_u64 {
        let (writer, teams, done, submitted) = (
            writer.clone(),
            teams.clone(),
            done.clone(),
            submitted.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut i = 0_u64;
            while !done.load(Ordering::Relaxed) {
                let mix = task * 1_000_003 + i * 17;
                let team = teams[(mix % teams.len() as u64) as usize];
                let challenge = format!("c{}", (mix / 5) % 2);
                let answer = ANSWERS[((mix / 3) % ANSWERS.len() as u64) as usize];
                let key = IdempotencyKey(u128::from(task) << 64 | u128::from(i));
                writer
                    .submit(team, &challenge, answer, key, now())
                    .await
                    .expect("a submission without cuts succeeds");
                submitted.fetch_add(1, Ordering::Relaxed);
                i += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }));
    }

    let mut sql = connection().await;
    let listener = format!("{app} listener");
    let started = Instant::now();
    let mut terminated = 0;
    while terminated < kills {
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&listener)
        .fetch_all(&mut sql)
        .await
        .expect("pg_terminate_backend runs");
        terminated += killed.iter().filter(|k| **k).count() as u64;
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {terminated} listeners terminated in 60 s: does the listener reconnect?"
        );
    }
    done.store(true, Ordering::Relaxed);
    for task in load {
        task.await.expect("a load task does not panic");
    }
    let end = writer_store.end(&hunt).await.expect("the end reads");
    let deadline = Instant::now() + Duration::from_secs(60);
    while follower.snapshot().seq() < end {
        assert!(
            Instant::now() < deadline,
            "the follower is stuck at {} of {end}: a lost notification was never made up for",
            follower.snapshot().seq()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    following.abort();
    eprintln!(
        "{terminated} listeners terminated during {} submissions ({end} events) in {:?}",
        submitted.load(Ordering::Relaxed),
        started.elapsed()
    );
    let fresh = Engine::open(writer_store.clone(), &hunt, None)
        .await
        .expect("a fresh replay opens");
    assert_eq!(
        format!("{:?}", follower.snapshot().standings()),
        format!("{:?}", fresh.snapshot().standings())
    );
    assert_eq!(
        format!("{:?}", writer.snapshot().standings()),
        format!("{:?}", fresh.snapshot().standings())
    );
}

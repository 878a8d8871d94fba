//! PostgreSQL killed: the postmaster of a throwaway cluster is SIGKILLed at moments spread
//! over a concurrent load of keyed submissions, 20 times (100 with `HUNT_SOAK=1`), and
//! restarted. Submissions that fail are retried with their key until answered. After each
//! restart every answered command is in the log with its verdict, and no command is in it
//! twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{Event, HuntId, IdempotencyKey, JudgedAs, TeamId, Timestamp, Verdict};
use hunt_store_pg::{PgOptions, PgStore};
use tokio::sync::Mutex;

use crate::cluster::Cluster;

const DEFINITION: &str = r#"
id = "crash"
title = "Crashes"
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
points = 100
answers = ["compass"]
"#;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

/// Answered commands: key, and whether the verdict says it recorded a judgement.
type Answered = Arc<Mutex<Vec<(u128, bool)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_command_survives_the_server_being_killed() {
    let kills = if std::env::var_os("HUNT_SOAK").is_some() {
        100
    } else {
        20
    };
    let mut cluster = tokio::task::spawn_blocking(Cluster::start)
        .await
        .expect("the cluster starts");
    let options = PgOptions::new(cluster.url(), "crash")
        .expect("a valid schema")
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(2));
    let store: Arc<dyn Store> = Arc::new(PgStore::open(&options).await.expect("opens"));
    let engine = Arc::new(
        Engine::create(store.clone(), DEFINITION, None)
            .await
            .expect("the hunt loads"),
    );
    let mut teams: Vec<TeamId> = Vec::new();
    for t in 0..16 {
        teams.push(
            engine
                .register(&format!("Team {t}"), None, now())
                .await
                .expect("registers"),
        );
    }
    let hunt = HuntId::new("crash").expect("a valid id");
    let answered: Answered = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for task in 0..8_u64 {
        let (engine, teams, answered, stop) = (
            engine.clone(),
            teams.clone(),
            answered.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0_u64;
            while !stop.load(Ordering::Relaxed) {
                let team = teams[((task * 5 + i) % teams.len() as u64) as usize];
                // A solve now and then; otherwise wrong guesses, each of them an event.
                let (challenge, answer) = if i.is_multiple_of(10) {
                    ("c0", "anchor".to_owned())
                } else {
                    ("c1", format!("guess {task} {i}"))
                };
                let key = u128::from(task) << 64 | u128::from(i);
                let verdict = loop {
                    match engine
                        .submit(team, challenge, &answer, IdempotencyKey(key), now())
                        .await
                    {
                        Ok(verdict) => break verdict,
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                };
                let verdict = match verdict {
                    Verdict::Duplicate { original } => *original,
                    verdict => verdict,
                };
                let recorded = matches!(
                    verdict,
                    Verdict::Correct { .. }
                        | Verdict::Incorrect {
                            repeated: false,
                            ..
                        }
                );
                answered.lock().await.push((key, recorded));
                i += 1;
            }
        }));
    }
    let mut restarts = Vec::new();
    for kill in 0..kills {
        // A moment spread over the load: 20 to 200 ms after the last restart.
        tokio::time::sleep(Duration::from_millis(20 + (kill * 37) % 180)).await;
        let before = answered.lock().await.clone();
        let killed = std::time::Instant::now();
        cluster = tokio::task::spawn_blocking(move || {
            cluster.kill();
            cluster.restart();
            cluster
        })
        .await
        .expect("the cluster restarts");
        let restarted = killed.elapsed();
        // Every command answered before the kill is in the log once, with its judgement.
        let log = loop {
            match store.read(&hunt, 0, usize::MAX).await {
                Ok(log) => break log,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        check(&log, &before, kill);
        restarts.push(restarted);
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("a task does not panic");
    }
    let log = store
        .read(&hunt, 0, usize::MAX)
        .await
        .expect("the log reads");
    let answered = answered.lock().await.clone();
    check(&log, &answered, kills);
    assert!(
        answered.len() > kills as usize,
        "only {} commands answered",
        answered.len()
    );
    restarts.sort();
    eprintln!(
        "{kills} kills, {} commands answered, {} events; restart (with crash recovery) \
         median {:?}, longest {:?}",
        answered.len(),
        log.len(),
        restarts[restarts.len() / 2],
        restarts[restarts.len() - 1]
    );
}

fn check(log: &[hunt_core::Recorded], answered: &[(u128, bool)], kill: u64) {
    let mut judged: HashMap<u128, u32> = HashMap::new();
    let mut solved: HashMap<TeamId, u32> = HashMap::new();
    for recorded in log {
        if let Event::SubmissionJudged {
            key,
            team,
            judged: how,
            ..
        } = &recorded.event
        {
            *judged.entry(key.0).or_default() += 1;
            if matches!(how, JudgedAs::Correct) {
                *solved.entry(*team).or_default() += 1;
            }
        }
    }
    let twice: Vec<_> = judged.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "after kill {kill}: judged twice: {twice:?}"
    );
    let double: Vec<_> = solved.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        double.is_empty(),
        "after kill {kill}: solved twice: {double:?}"
    );
    for (key, recorded) in answered {
        let found = judged.get(key).copied().unwrap_or(0);
        assert!(
            !recorded || found == 1,
            "after kill {kill}: answered command {key:x} is in the log {found} times"
        );
    }
}

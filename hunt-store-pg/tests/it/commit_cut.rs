//! Commit outcome unknown, for real: engines on stores whose connections go through a proxy
//! that cuts them right after (or before) forwarding an append's commit, under a concurrent
//! load of submissions with idempotency keys, each retried with its key until it is
//! answered. No command may be applied twice, and every answered one must be in the log
//! once.
//!
//! `HUNT_SOAK=1` raises the number of cuts from 120 to 1,000.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{Event, HuntId, IdempotencyKey, JudgedAs, TeamId, Timestamp, Verdict};
use hunt_store_pg::PgStore;

use crate::proxy::Proxy;
use crate::support::{Schema, through};

const DEFINITION: &str = r#"
id = "cut"
title = "Cut connections"
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
max_attempts = 6

[[challenge]]
id = "c2"
title = "Two"
points = 300
answers = ["kraken"]
unlock = "c0"
"#;

const ANSWERS: [&str; 6] = ["anchor", "compass", "kraken", "rope", "sail", "mast"];

/// Engines (each on a store with a pool of its own, through the proxy) and tasks per engine.
const ENGINES: usize = 2;
const TASKS: usize = 4;
const TEAMS: u32 = 12;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

/// What a task had answered: the key, and the verdict of its first decision.
type Answered = Vec<(IdempotencyKey, Verdict)>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_commits_apply_each_command_once() {
    let target: u64 = if std::env::var_os("HUNT_SOAK").is_some() {
        1_000
    } else {
        120
    };
    let schema = Schema::fresh().await;
    let direct: Arc<dyn Store> = Arc::new(schema.open().await);
    let hunt = HuntId::new("cut").expect("a valid id");
    let setup = Engine::create(direct.clone(), DEFINITION, None)
        .await
        .expect("the hunt loads");
    let teams: Vec<TeamId> = {
        let mut teams = Vec::new();
        for t in 0..TEAMS {
            let name = format!("Team {t}");
            teams.push(setup.register(&name, None, now()).await.expect("registers"));
        }
        teams
    };
    drop(setup);

    let (server, _) = through("127.0.0.1:1".parse().expect("an address"));
    let proxy = Proxy::start(server).await;
    let (_, proxied) = through(proxy.addr);
    let mut engines = Vec::new();
    for e in 0..ENGINES {
        let options = schema
            .options_at(&proxied)
            .application_name(format!("hunt-test cut {e}"));
        let store: Arc<dyn Store> = Arc::new(PgStore::open(&options).await.expect("opens"));
        engines.push(Arc::new(
            Engine::open(store, &hunt, None).await.expect("opens"),
        ));
    }
    proxy.counts.arm(true);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (e, engine) in engines.iter().enumerate() {
        for t in 0..TASKS {
            let engine = engine.clone();
            let counts = proxy.counts.clone();
            let teams = teams.clone();
            let task = (e * TASKS + t) as u64;
            tasks.push(tokio::spawn(async move {
                let mut answered = Answered::new();
                let mut errors = 0_u32;
                let mut i = 0_u64;
                while counts.cuts() < target && started.elapsed() < Duration::from_secs(120) {
                    let key = IdempotencyKey(u128::from(task) << 64 | u128::from(i));
                    let mix = task.wrapping_mul(7919).wrapping_add(i * 31);
                    let team = teams[(mix % teams.len() as u64) as usize];
                    let challenge = format!("c{}", (mix / 7) % 3);
                    let answer = ANSWERS[((mix / 3) % ANSWERS.len() as u64) as usize];
                    // Retried with the same key until answered, as a client would.
                    let verdict = loop {
                        match engine.submit(team, &challenge, answer, key, now()).await {
                            Ok(verdict) => break verdict,
                            Err(error) => {
                                errors += 1;
                                assert!(errors < 10_000, "task {task}: endless errors: {error}");
                                tokio::time::sleep(Duration::from_millis(2)).await;
                            }
                        }
                    };
                    answered.push((key, verdict));
                    i += 1;
                }
                (answered, errors)
            }));
        }
    }
    let mut answered = Answered::new();
    let mut errors = 0;
    for task in tasks {
        let (mine, failed) = task.await.expect("a task does not panic");
        answered.extend(mine);
        errors += failed;
    }
    proxy.counts.arm(false);
    let cuts = proxy.counts.cuts();
    let (after, before) = (
        proxy.counts.cut_after.load(Ordering::Relaxed),
        proxy.counts.cut_before.load(Ordering::Relaxed),
    );
    eprintln!(
        "{} commands answered, {} appends, {after} cut after the commit was sent and \
         {before} before, {errors} errors retried, in {:?}",
        answered.len(),
        proxy.counts.appends.load(Ordering::Relaxed),
        started.elapsed()
    );
    assert!(
        cuts >= target,
        "only {cuts} cuts of {target} in the time allowed"
    );
    assert!(
        after > 0 && before > 0,
        "{after} cuts after, {before} before"
    );

    // The log, read directly: each key judged at most once, each team solving a challenge
    // at most once, and every answered command that records an event there exactly once.
    let log = crate::support::read_all(&*direct, &hunt).await;
    let mut judged: HashMap<IdempotencyKey, u32> = HashMap::new();
    let mut solves: HashMap<(TeamId, String), u32> = HashMap::new();
    for recorded in &log {
        if let Event::SubmissionJudged {
            key,
            team,
            challenge,
            judged: how,
            ..
        } = &recorded.event
        {
            *judged.entry(*key).or_default() += 1;
            if matches!(how, JudgedAs::Correct) {
                *solves.entry((*team, challenge.to_string())).or_default() += 1;
            }
        }
    }
    let twice: Vec<_> = judged.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "commands applied twice: {twice:?}");
    let double: Vec<_> = solves.iter().filter(|(_, n)| **n > 1).collect();
    assert!(double.is_empty(), "duplicate solves: {double:?}");
    for (key, verdict) in &answered {
        let verdict = match verdict {
            Verdict::Duplicate { original } => original.as_ref(),
            verdict => verdict,
        };
        let recorded = matches!(
            verdict,
            Verdict::Correct { .. }
                | Verdict::Incorrect {
                    repeated: false,
                    ..
                }
                | Verdict::Partial { .. }
        );
        let found = judged.get(key).copied().unwrap_or(0);
        assert!(
            !recorded || found == 1,
            "{key:?} was answered {verdict:?} but is in the log {found} times"
        );
    }

    // Every engine's state equals a fresh replay of the log.
    let fresh = Engine::open(direct.clone(), &hunt, None)
        .await
        .expect("opens");
    for engine in &engines {
        engine.catch_up().await.expect("catches up");
        assert_eq!(
            format!("{:?}", engine.snapshot().standings()),
            format!("{:?}", fresh.snapshot().standings())
        );
    }
}

//! The negative control of the exactly-once checks: the same kind of race, two engines
//! submitting the same solves at once, on a deliberately naive store that checks, then
//! inserts (it reads the end and appends there, whatever end the engine decided at), must
//! be caught: the log gets duplicate solves. So the checks that find none on [`PgStore`]
//! can fail.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hunt_core::engine::Engine;
use hunt_core::store::{Checkpoint, Digest, Store, StoreError, Wait};
use hunt_core::{Event, HuntId, IdempotencyKey, JudgedAs, Recorded, TeamId, Timestamp};
use hunt_store_pg::PgStore;

use crate::support::Schema;

/// A store that ignores the expectation of an append: the check-then-insert race, with the
/// time between the check and the insert made visible.
struct Naive(PgStore);

#[async_trait]
impl Store for Naive {
    async fn append(&self, hunt: &HuntId, _: u64, events: &[Event]) -> Result<u64, StoreError> {
        // The engine decided at the end it expected; the naive store appends at whatever
        // end it finds when it gets to write (a moment later: the time a check-then-insert
        // spends between the two), so a decision made on a stale log lands anyway.
        tokio::time::sleep(Duration::from_millis(10)).await;
        loop {
            let end = self.0.end(hunt).await?;
            match self.0.append(hunt, end, events).await {
                Err(StoreError::Conflict { .. }) => continue,
                other => return other,
            }
        }
    }
    async fn read(&self, h: &HuntId, a: u64, l: usize) -> Result<Vec<Recorded>, StoreError> {
        self.0.read(h, a, l).await
    }
    async fn end(&self, hunt: &HuntId) -> Result<u64, StoreError> {
        self.0.end(hunt).await
    }
    async fn wait_past(&self, hunt: &HuntId, position: u64) -> Result<Wait, StoreError> {
        self.0.wait_past(hunt, position).await
    }
    async fn save_definition(
        &self,
        hunt: &HuntId,
        source: &str,
        replaces: Option<Digest>,
    ) -> Result<(), StoreError> {
        self.0.save_definition(hunt, source, replaces).await
    }
    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        self.0.load_definition(hunt).await
    }
    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        self.0.hunts().await
    }
    async fn save_checkpoint(&self, h: &HuntId, c: &Checkpoint) -> Result<bool, StoreError> {
        self.0.save_checkpoint(h, c).await
    }
    async fn load_checkpoint(&self, hunt: &HuntId) -> Result<Option<Checkpoint>, StoreError> {
        self.0.load_checkpoint(hunt).await
    }
}

const DEFINITION: &str = r#"
id = "naive"
title = "Naive"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "c0"
title = "Zero"
points = 100
answers = ["anchor"]
"#;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

/// Solves of one team of one challenge that are in the log more than once.
fn duplicate_solves(log: &[Recorded]) -> usize {
    let mut solves: HashMap<(TeamId, String), u32> = HashMap::new();
    for recorded in log {
        if let Event::SubmissionJudged {
            team,
            challenge,
            judged: JudgedAs::Correct,
            ..
        } = &recorded.event
        {
            *solves.entry((*team, challenge.to_string())).or_default() += 1;
        }
    }
    solves.values().filter(|n| **n > 1).count()
}

/// Two engines on `open()`'s stores; every team solves `c0` from both at once, under
/// different keys (two players of a team, each on another server). Returns the log.
async fn race(schema: &Schema, naive: bool) -> Vec<Recorded> {
    let open = || async {
        let store = schema.open().await;
        let store: Arc<dyn Store> = if naive {
            Arc::new(Naive(store))
        } else {
            Arc::new(store)
        };
        store
    };
    let setup = Engine::create(open().await, DEFINITION, None)
        .await
        .expect("the hunt loads");
    let mut teams = Vec::new();
    for t in 0..40 {
        teams.push(
            setup
                .register(&format!("Team {t}"), None, now())
                .await
                .expect("registers"),
        );
    }
    drop(setup);
    let hunt = HuntId::new("naive").expect("a valid id");
    // Both engines open (and read the log) before either submits.
    let mut engines = Vec::new();
    for _ in 0..2 {
        engines.push(Arc::new(
            Engine::open(open().await, &hunt, None)
                .await
                .expect("opens"),
        ));
    }
    let mut tasks = Vec::new();
    for (e, engine) in (0_u128..).zip(&engines) {
        for &team in &teams {
            let engine = engine.clone();
            let key = IdempotencyKey(e << 64 | u128::from(team.0));
            tasks.push(tokio::spawn(async move {
                // A few tries; a broken store may keep failing, and that is not the point.
                for _ in 0..3 {
                    if engine
                        .submit(team, "c0", "anchor", key, now())
                        .await
                        .is_ok()
                    {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
        }
    }
    for task in tasks {
        task.await.expect("a task does not panic");
    }
    schema
        .open()
        .await
        .read(&hunt, 0, usize::MAX)
        .await
        .expect("the log reads")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_then_insert_store_duplicates_solves_and_pg_store_does_not() {
    let naive = Schema::fresh().await;
    let duplicates = duplicate_solves(&race(&naive, true).await);
    assert!(
        duplicates > 0,
        "the naive store should have let both engines record some solve"
    );
    let real = Schema::fresh().await;
    assert_eq!(duplicate_solves(&race(&real, false).await), 0);
    eprintln!("check-then-insert: {duplicates} duplicate solves of 40; PgStore: 0");
}

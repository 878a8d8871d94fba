//! `Engine::execute_batch` on `MemoryStore`: refusals in the middle of a batch, retried
//! keys inside a batch, a failed write that stops the rest of the batch, and batches beside
//! single callers. The store conformance suite runs the cases that compare a batch with its
//! commands one by one (`hunt_core::testing::a_batch_decides_as_its_commands_one_by_one`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use hunt_core::engine::{Batched, Engine, EngineError, MAX_WRITE_COMMANDS};
use hunt_core::state::{CommandError, Outcome};
use hunt_core::store::{MemoryStore, Store, StoreError};
use hunt_core::testing::{AppendHook, OnAppend};
use hunt_core::{Command, Event, HuntId, IdempotencyKey, Recorded, TeamId, Verdict};

use crate::clock::at;

const HUNT: &str = r#"
id = "batch"
title = "Batch"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]
"#;

fn hunt_id() -> HuntId {
    HuntId::new("batch").expect("a valid hunt id")
}

fn register(name: &str) -> Command {
    Command::Register {
        name: name.to_owned(),
        division: None,
    }
}

fn submit(team: u32, answer: &str, key: u128) -> Command {
    Command::Submit {
        team: TeamId(team),
        challenge: "one".to_owned(),
        answer: answer.to_owned(),
        key: IdempotencyKey(key),
    }
}

async fn create(store: Arc<dyn Store>) -> Engine {
    Engine::create(store, HUNT, None)
        .await
        .expect("the test hunt is valid")
}

async fn log(store: &dyn Store) -> Vec<Recorded> {
    store
        .read(&hunt_id(), 0, usize::MAX)
        .await
        .expect("reads succeed")
}

fn team_of(result: &Result<Outcome, EngineError>) -> TeamId {
    match result {
        Ok(Outcome::Registered(team)) => *team,
        other => panic!("a registration gave {other:?}"),
    }
}

fn verdict_of(result: &Result<Outcome, EngineError>) -> &Verdict {
    match result {
        Ok(Outcome::Verdict(verdict)) => verdict,
        other => panic!("a submission gave {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_command_in_the_middle_keeps_the_others() {
    let store = MemoryStore::new();
    let engine = create(Arc::new(store.clone())).await;
    let now = at(60);
    let results = engine
        .execute_batch([
            Batched::new(register("Sea Otters"), now),
            Batched::new(register("Null Pointers"), now),
            Batched::new(register("sea  OTTERS"), now),
            Batched::new(submit(7, "answer one", 1), now),
            Batched::new(register("Rust Belt"), now),
            Batched::new(submit(2, "answer one", 2), now),
        ])
        .await;
    assert_eq!(results.len(), 6);
    assert_eq!(team_of(&results[0]), TeamId(0));
    assert_eq!(team_of(&results[1]), TeamId(1));
    assert!(
        matches!(
            &results[2],
            Err(EngineError::Command(CommandError::NameTaken(_)))
        ),
        "a taken name: {:?}",
        results[2]
    );
    assert!(
        matches!(
            &results[3],
            Err(EngineError::Command(CommandError::UnknownTeam(TeamId(7))))
        ),
        "an unknown team: {:?}",
        results[3]
    );
    // The refusals took no id and wrote nothing: the next team is 2, and can submit.
    assert_eq!(team_of(&results[4]), TeamId(2));
    assert!(verdict_of(&results[5]).is_correct());
    let log = log(&store).await;
    assert_eq!(log.len(), 4, "three registrations and a solve: {log:?}");
    let state = engine.snapshot();
    assert_eq!(state.seq(), 4);
    assert_eq!(
        state.team(TeamId(2)).map(|t| t.name.as_str()),
        Some("Rust Belt")
    );
}

#[tokio::test]
async fn a_key_used_again_in_a_batch_gets_its_first_outcome() {
    let store = MemoryStore::new();
    let engine = create(Arc::new(store.clone())).await;
    let now = at(60);
    let results = engine
        .execute_batch([
            Batched::with_key(register("Sea Otters"), IdempotencyKey(100), now),
            Batched::new(submit(0, "wrong", 1), now),
            Batched::new(submit(0, "answer one", 2), now),
            // A retry of the registration and of both submissions, in the same batch.
            Batched::with_key(register("Sea Otters"), IdempotencyKey(100), now),
            Batched::new(submit(0, "wrong", 1), now),
            Batched::new(submit(0, "answer one", 2), now),
            // The registration's key for another command is refused.
            Batched::with_key(
                Command::SetHidden {
                    team: TeamId(0),
                    hidden: true,
                },
                IdempotencyKey(100),
                now,
            ),
        ])
        .await;
    assert_eq!(team_of(&results[0]), TeamId(0));
    assert_eq!(team_of(&results[3]), TeamId(0));
    for (first, retry) in [(1, 4), (2, 5)] {
        assert_eq!(
            verdict_of(&results[retry]),
            &Verdict::Duplicate {
                original: Box::new(verdict_of(&results[first]).clone())
            }
        );
    }
    assert!(verdict_of(&results[2]).is_correct());
    assert!(
        matches!(
            &results[6],
            Err(EngineError::Command(CommandError::KeyReused(
                IdempotencyKey(100)
            )))
        ),
        "{:?}",
        results[6]
    );
    assert_eq!(log(&store).await.len(), 3, "each command applied once");
    assert_eq!(
        engine.snapshot().team(TeamId(0)).map(|t| t.score),
        Some(100)
    );
}

/// Fails the `fail_at`-th append (counting from 0) without writing.
struct FailOne {
    appends: AtomicUsize,
    fail_at: usize,
}

#[async_trait]
impl AppendHook for FailOne {
    async fn append(
        &self,
        inner: &dyn Store,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        if self.appends.fetch_add(1, Ordering::Relaxed) == self.fail_at {
            return Err(StoreError::Injected);
        }
        inner.append(hunt, expected, events).await
    }
}

#[tokio::test]
async fn a_failed_write_fails_the_rest_of_the_batch_and_a_retry_completes_it() {
    let store = MemoryStore::new();
    let failing = Arc::new(OnAppend::new(
        Arc::new(store.clone()),
        FailOne {
            appends: AtomicUsize::new(0),
            fail_at: 1,
        },
    ));
    let engine = create(failing).await;
    let teams = 3 * MAX_WRITE_COMMANDS;
    let batch: Vec<Batched> = (0..teams)
        .map(|t| {
            Batched::with_key(
                register(&format!("team {t}")),
                IdempotencyKey(t as u128 + 1),
                at(60),
            )
        })
        .collect();
    let results = engine.execute_batch(batch.clone()).await;
    for (i, result) in results.iter().enumerate() {
        if i < MAX_WRITE_COMMANDS {
            assert_eq!(team_of(result), TeamId(i as u32), "registration {i}");
        } else {
            assert!(
                matches!(result, Err(EngineError::Store(e)) if matches!(**e, StoreError::Injected)),
                "registration {i}, in or after the failed write: {result:?}"
            );
        }
    }
    assert_eq!(
        log(&store).await.len(),
        MAX_WRITE_COMMANDS,
        "only the first write landed, none after the failed one"
    );
    // The same batch again: the first write's teams come back, the rest are registered.
    let again = engine.execute_batch(batch).await;
    for (i, result) in again.iter().enumerate() {
        assert_eq!(
            team_of(result),
            TeamId(i as u32),
            "registration {i} retried"
        );
    }
    assert_eq!(log(&store).await.len(), teams);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_callers_beside_a_batch_are_decided_once_each() {
    let store = MemoryStore::new();
    let engine = Arc::new(create(Arc::new(store.clone())).await);
    let teams = 2 * MAX_WRITE_COMMANDS + 10;
    let batch = (0..teams).map(|t| Batched::new(register(&format!("batch {t}")), at(60)));
    let mut singles = tokio::task::JoinSet::new();
    for s in 0..50 {
        let engine = engine.clone();
        singles.spawn(async move {
            engine
                .register(&format!("single {s}"), None, at(60))
                .await
                .expect("registers")
        });
    }
    let results = engine.execute_batch(batch).await;
    let batch_teams: Vec<TeamId> = results.iter().map(team_of).collect();
    assert!(
        batch_teams.windows(2).all(|w| w[0] < w[1]),
        "the batch's teams are in its order"
    );
    let mut all: Vec<TeamId> = singles.join_all().await;
    all.extend(batch_teams);
    all.sort();
    assert!(
        all.iter().enumerate().all(|(i, t)| t.0 as usize == i),
        "every team once, with dense ids"
    );
    assert_eq!(log(&store).await.len(), teams + 50);
}

#[tokio::test]
async fn an_empty_batch_writes_nothing() {
    let store = MemoryStore::new();
    let engine = create(Arc::new(store.clone())).await;
    assert!(engine.execute_batch(Vec::new()).await.is_empty());
    assert!(log(&store).await.is_empty());
}

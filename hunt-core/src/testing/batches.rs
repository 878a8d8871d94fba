//! The conformance cases of the engine's batches ([`Engine::execute_batch`]) on a store: a
//! batch larger than one write gives the log and results of its commands one by one, in
//! writes of a bounded size, and batches of two engines on two handles interleave without
//! losing their order.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::StoreBuilder;
use super::check::{hunt, read_all};
use super::on_append::{AppendHook, OnAppend};
use crate::command::Command;
use crate::engine::{Batched, Engine, EngineError, MAX_WRITE_COMMANDS};
use crate::event::{Event, Recorded};
use crate::ids::{HuntId, IdempotencyKey, TeamId};
use crate::state::Outcome;
use crate::store::{MemoryStore, Store, StoreError};
use crate::time::Timestamp;

/// The hunt the cases play.
const HUNT: &str = r#"
id = "batches"
title = "Batches"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]
first_blood = [10]

[[challenge]]
id = "two"
title = "Two"
points = 200
answers = ["answer two"]
unlock = "one"
"#;

/// Teams the batch of the first case registers: more than two writes' worth.
const TEAMS: u32 = 2 * MAX_WRITE_COMMANDS as u32 + 500;

/// Records how many events each append carried.
#[derive(Default)]
struct Counting {
    appends: Mutex<Vec<usize>>,
}

#[async_trait]
impl AppendHook for Counting {
    async fn append(
        &self,
        inner: &dyn Store,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        self.appends
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(events.len());
        inner.append(hunt, expected, events).await
    }
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid instant")
}

fn register(name: String) -> Command {
    Command::Register {
        name,
        division: None,
    }
}

fn submit(team: u32, challenge: &str, answer: &str, key: u128) -> Command {
    Command::Submit {
        team: TeamId(team),
        challenge: challenge.into(),
        answer: answer.into(),
        key: IdempotencyKey(key),
    }
}

/// A batch of every kind of outcome: registrations (one name taken), submissions for teams
/// registered earlier in the batch (correct, wrong, locked, for an unknown challenge, a key
/// used again), an adjustment with a key and its retry, the same key for another command.
fn mixed_batch() -> Vec<Batched> {
    let at = now();
    let mut batch = Vec::new();
    for team in 0..TEAMS {
        let command = register(format!("team {team}"));
        batch.push(match team % 3 {
            0 => Batched::new(command, at),
            _ => Batched::with_key(command, IdempotencyKey(u128::from(team) + 1), at),
        });
        if team == 1_234 {
            // Taken, in another spelling: refused, and the next team gets the next id.
            batch.push(Batched::new(register("TEAM  7".into()), at));
        }
    }
    let mut key = 1_000_000;
    for team in (0..TEAMS).step_by(7) {
        for (challenge, answer) in [
            ("two", "answer two"),
            ("one", "wrong"),
            ("one", "answer one"),
            ("two", "answer two"),
            ("three", "answer three"),
        ] {
            key += 1;
            batch.push(Batched::new(submit(team, challenge, answer, key), at));
        }
        // The same key again: the first verdict, nothing applied.
        batch.push(Batched::new(submit(team, "one", "answer one", key - 2), at));
    }
    let adjust = Command::Adjust {
        team: TeamId(3),
        delta: -5,
        reason: "late".into(),
    };
    batch.push(Batched::with_key(adjust.clone(), IdempotencyKey(77), at));
    batch.push(Batched::with_key(adjust, IdempotencyKey(77), at));
    let hide = Command::SetHidden {
        team: TeamId(4),
        hidden: true,
    };
    batch.push(Batched::with_key(hide, IdempotencyKey(77), at));
    batch
}

/// The results of `batch` executed one command at a time, in order, on `engine`.
async fn one_by_one(engine: &Engine, batch: &[Batched]) -> Vec<Result<Outcome, EngineError>> {
    let mut results = Vec::new();
    for item in batch {
        let command = item.command.clone();
        results.push(match item.key {
            Some(key) => engine.execute_with_key(command, key, item.now).await,
            None => engine.execute(command, item.now).await,
        });
    }
    results
}

/// Checks that `results` and `log` (of the batch) are `expected` and `expected_log` (of its
/// commands one by one).
fn check_same(
    what: &str,
    batch: &[Batched],
    (results, log): (&[Result<Outcome, EngineError>], &[Recorded]),
    (expected, expected_log): (&[Result<Outcome, EngineError>], &[Recorded]),
) {
    assert_eq!(results.len(), batch.len(), "{what}: one result per command");
    for (i, (got, wanted)) in shown(results).iter().zip(&shown(expected)).enumerate() {
        assert_eq!(got, wanted, "{what}: command {i} ({:?})", batch[i].command);
    }
    assert_eq!(
        log.len(),
        expected_log.len(),
        "{what}: the log and the log of the commands one by one differ in length"
    );
    for (got, wanted) in log.iter().zip(expected_log) {
        assert_eq!(got, wanted, "{what}: the log differs from one by one");
    }
}

/// `{result:?}`, which compares results whose error has no `PartialEq`.
fn shown(results: &[Result<Outcome, EngineError>]) -> Vec<String> {
    results.iter().map(|r| format!("{r:?}")).collect()
}

/// A batch of several writes' worth of commands of every outcome gives, on the store, the
/// results and the log the same commands give one by one; each write carries at most
/// [`MAX_WRITE_COMMANDS`] events; executing the batch again (every key a retry) gives the
/// same teams and first verdicts and writes only what has no key.
pub async fn a_batch_decides_as_its_commands_one_by_one<B: StoreBuilder>(builder: &B) {
    let (store, _guard) = builder.build().await;
    let counting = Arc::new(OnAppend::new(store.clone(), Counting::default()));
    let engine = Engine::create(counting.clone(), HUNT, None)
        .await
        .unwrap_or_else(|e| panic!("creating the case's hunt failed: {e}"));
    let reference_store = MemoryStore::new();
    let reference = Engine::create(Arc::new(reference_store.clone()), HUNT, None)
        .await
        .unwrap_or_else(|e| panic!("creating the case's hunt failed: {e}"));
    let id = hunt("batches");
    let batch = mixed_batch();
    let results = engine.execute_batch(batch.clone()).await;
    let expected = one_by_one(&reference, &batch).await;
    let log = read_all(&*store, &id).await;
    let expected_log = read_all(&reference_store, &id).await;
    check_same(
        "a batch",
        &batch,
        (&results, &log),
        (&expected, &expected_log),
    );
    let appends = counting
        .hook()
        .appends
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert!(
        appends.iter().all(|&n| n <= MAX_WRITE_COMMANDS),
        "a write of more than {MAX_WRITE_COMMANDS} events: {appends:?}"
    );
    assert!(
        appends.iter().sum::<usize>() == log.len()
            && appends.len() >= log.len().div_ceil(MAX_WRITE_COMMANDS),
        "{} events in writes of {appends:?}",
        log.len()
    );
    let registered: Vec<TeamId> = results
        .iter()
        .filter_map(|r| match r {
            Ok(Outcome::Registered(team)) => Some(*team),
            _ => None,
        })
        .collect();
    assert!(
        registered
            .iter()
            .enumerate()
            .all(|(i, t)| t.0 as usize == i),
        "the batch's teams are not dense in its order"
    );
    assert_eq!(registered.len(), TEAMS as usize);

    // Again, every key a retry: the same as again one by one; keyed registrations get
    // their teams back, and submissions their first verdicts.
    let again = engine.execute_batch(batch.clone()).await;
    let expected_again = one_by_one(&reference, &batch).await;
    check_same(
        "the batch again",
        &batch,
        (&again, &read_all(&*store, &id).await),
        (&expected_again, &read_all(&reference_store, &id).await),
    );
    for (i, (first, second)) in results.iter().zip(&again).enumerate() {
        if let (Some(_), Command::Register { .. }) = (batch[i].key, &batch[i].command) {
            assert_eq!(
                format!("{first:?}"),
                format!("{second:?}"),
                "command {i}: a retried registration"
            );
        }
        if let (Ok(Outcome::Verdict(first)), Ok(Outcome::Verdict(second))) = (first, second)
            && matches!(
                first,
                crate::Verdict::Correct { .. } | crate::Verdict::Incorrect { .. }
            )
        {
            assert_eq!(
                second,
                &crate::Verdict::Duplicate {
                    original: Box::new(first.clone())
                },
                "command {i}: a retried submission"
            );
        }
    }
}

/// Batches of registrations from two engines on two handles, at once: every team is
/// registered once, ids are dense, and each batch's teams come in its order.
pub async fn batches_of_two_handles_keep_their_order<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let first = Arc::new(
        Engine::create(store, HUNT, None)
            .await
            .unwrap_or_else(|e| panic!("creating the case's hunt failed: {e}")),
    );
    let second = Arc::new(
        Engine::open(other.clone(), &hunt("batches"), None)
            .await
            .unwrap_or_else(|e| panic!("opening the case's hunt on the second handle failed: {e}")),
    );
    let per_batch = MAX_WRITE_COMMANDS as u32 + 300;
    let mut tasks = tokio::task::JoinSet::new();
    for (e, engine) in [first, second].into_iter().enumerate() {
        for b in 0..2_u32 {
            let engine = engine.clone();
            tasks.spawn(async move {
                let batch = (0..per_batch).map(|t| {
                    let key = IdempotencyKey(u128::from((e as u32 * 2 + b) * per_batch + t) + 1);
                    Batched::with_key(register(format!("e{e} b{b} t{t}")), key, now())
                });
                engine.execute_batch(batch).await
            });
        }
    }
    let mut all = Vec::new();
    for results in tasks.join_all().await {
        let teams: Vec<TeamId> = results
            .into_iter()
            .map(|r| match r {
                Ok(Outcome::Registered(team)) => team,
                other => panic!("a registration of a batch gave {other:?}"),
            })
            .collect();
        assert!(
            teams.windows(2).all(|w| w[0] < w[1]),
            "a batch's teams are not in its order"
        );
        all.extend(teams);
    }
    all.sort();
    assert!(
        all.iter().enumerate().all(|(i, t)| t.0 as usize == i),
        "the teams of four batches are not dense and distinct"
    );
    let log = read_all(&*other, &hunt("batches")).await;
    assert_eq!(
        log.len(),
        4 * per_batch as usize,
        "the log has every registration once"
    );
}

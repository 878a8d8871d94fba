//! The async `Engine` handle over `MemoryStore`: registering and submitting, snapshots that
//! change only once the store has acknowledged a write, many concurrent callers, store
//! failures (before and after the write), and two engines sharing one store.

use crate::clock::at;
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use hunt_core::engine::{Engine, EngineError};
use hunt_core::state::{CommandError, HuntState};
use hunt_core::store::{MemoryStore, Store, StoreError};
use hunt_core::testing::{AppendHook, OnAppend};
use hunt_core::{Event, HuntId, IdempotencyKey, Recorded, TeamId, Timestamp, Verdict};
use tokio::sync::{Semaphore, mpsc};

const HUNT: &str = r#"
id = "engine"
title = "Engine"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]

[[challenge]]
id = "two"
title = "Two"
points = 200
answers = ["answer two"]

[[challenge]]
id = "three"
title = "Three"
points = 300
answers = ["answer three"]

[[challenge]]
id = "gated"
title = "Gated"
points = 400
answers = ["answer four"]
unlock = "two"
"#;

fn hunt_id() -> HuntId {
    HuntId::new("engine").expect("a valid hunt id")
}

/// The end of the hunt.
fn end() -> Timestamp {
    at(12 * 60)
}

fn key(k: u128) -> IdempotencyKey {
    IdempotencyKey(k)
}

fn correct(points: i64, first_solve: bool) -> Verdict {
    Verdict::Correct {
        points,
        first_solve,
    }
}

fn duplicate(original: Verdict) -> Verdict {
    Verdict::Duplicate {
        original: Box::new(original),
    }
}

async fn create(store: &MemoryStore) -> Engine {
    Engine::create(Arc::new(store.clone()), HUNT, None)
        .await
        .expect("the test hunt is valid")
}

async fn open(store: &MemoryStore) -> Engine {
    Engine::open(Arc::new(store.clone()), &hunt_id(), None)
        .await
        .expect("the hunt was created")
}

async fn log(store: &MemoryStore) -> Vec<Recorded> {
    store
        .read(&hunt_id(), 0, usize::MAX)
        .await
        .expect("reads succeed")
}

/// Whether `error` is the failure `MemoryStore` injects.
fn is_injected(error: &EngineError) -> bool {
    matches!(error, EngineError::Store(e) if matches!(**e, StoreError::Injected))
}

/// Checks that `state` is what a from-scratch replay of the store's log gives, and that every
/// team's score is the sum of its solves' points.
async fn check_consistent(state: &HuntState, store: &MemoryStore) {
    let log = log(store).await;
    assert_eq!(
        state.seq(),
        log.len() as u64,
        "the state is at the end of the log"
    );
    let replayed =
        HuntState::replay(state.hunt().clone(), None, &log).expect("the stored log replays");
    assert_eq!(replayed.standings(), state.standings());
    for (team, team_state) in state.teams() {
        assert_eq!(replayed.team(team), Some(team_state));
        let points: i64 = team_state.solves().iter().map(|s| s.points).sum();
        assert_eq!(
            team_state.score, points,
            "{team}'s score is the sum of its solves"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_register_submit_and_reopen() {
    let store = MemoryStore::new();
    let engine = create(&store).await;
    assert_eq!(engine.hunt_id(), &hunt_id());
    let alpha = engine
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    let bravo = engine
        .register("Bravo", Some("Students"), at(-50))
        .await
        .expect("registers");
    assert_eq!((alpha, bravo), (TeamId(0), TeamId(1)));
    let taken = engine.register(" alpha ", None, at(-40)).await;
    assert!(
        matches!(&taken, Err(EngineError::Command(CommandError::NameTaken(name))) if name == " alpha "),
        "{taken:?}"
    );

    let cases = [
        (alpha, "one", "Answer One", 1, correct(100, true)),
        (bravo, "one", "answer one", 2, correct(100, false)),
        (
            alpha,
            "two",
            "answer one",
            3,
            Verdict::Incorrect {
                repeated: false,
                attempts_left: None,
            },
        ),
        (bravo, "gated", "answer four", 4, Verdict::Locked),
        (alpha, "one", "answer one", 1, duplicate(correct(100, true))),
    ];
    for (minute, (team, challenge, answer, k, expected)) in (1..).zip(cases) {
        let verdict = engine
            .submit(team, challenge, answer, key(k), at(minute))
            .await;
        assert_eq!(
            verdict.ok(),
            Some(expected),
            "{team} submits {answer:?} to {challenge}"
        );
    }

    let snapshot = engine.snapshot();
    assert_eq!(snapshot.seq(), 5);
    assert_eq!(log(&store).await.len(), 5);
    let scores: Vec<(String, i64)> = snapshot
        .standings()
        .into_iter()
        .map(|r| (r.name, r.score))
        .collect();
    assert_eq!(
        scores,
        [("Alpha".to_owned(), 100), ("Bravo".to_owned(), 100)]
    );
    check_consistent(&snapshot, &store).await;

    let reopened = open(&store).await;
    assert_eq!(reopened.snapshot().standings(), snapshot.standings());
    assert_eq!(reopened.snapshot().seq(), snapshot.seq());
    let retried = reopened
        .submit(alpha, "one", "answer one", key(1), at(30))
        .await;
    assert_eq!(retried.ok(), Some(duplicate(correct(100, true))));

    let unknown = HuntId::new("no-such-hunt").expect("a valid hunt id");
    let missing = Engine::open(Arc::new(store.clone()), &unknown, None).await;
    assert!(
        matches!(&missing, Err(EngineError::UnknownHunt(id)) if *id == unknown),
        "{missing:?}"
    );
}

/// Appends that wait for the test to let each one through, and say when one starts.
struct Gate {
    started: mpsc::UnboundedSender<()>,
    gate: Semaphore,
}

#[async_trait]
impl AppendHook for Gate {
    async fn append(
        &self,
        inner: &dyn Store,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let _ = self.started.send(());
        self.gate
            .acquire()
            .await
            .expect("the gate is never closed")
            .forget();
        inner.append(hunt, expected, events).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_shows_in_snapshots_only_once_appended() {
    let memory = MemoryStore::new();
    let (started, mut appends) = mpsc::unbounded_channel();
    let store = Arc::new(OnAppend::new(
        Arc::new(memory.clone()),
        Gate {
            started,
            gate: Semaphore::new(0),
        },
    ));
    let engine = Arc::new(
        Engine::create(store.clone(), HUNT, None)
            .await
            .expect("valid"),
    );
    store.hook().gate.add_permits(1);
    let team = engine
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    appends.recv().await.expect("the registration was appended");

    let submitting = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .submit(team, "one", "answer one", key(1), at(1))
                .await
        })
    };
    appends
        .recv()
        .await
        .expect("the submission's append started");
    // The write is in flight: readers still see the state before it, without waiting.
    let before = engine.snapshot();
    assert_eq!(before.seq(), 1);
    assert_eq!(before.team(team).map(|t| t.score), Some(0));
    assert!(!submitting.is_finished());

    store.hook().gate.add_permits(1);
    let verdict = submitting.await.expect("the task does not panic");
    assert_eq!(verdict.ok(), Some(correct(100, true)));
    let after = engine.snapshot();
    assert_eq!(after.seq(), 2);
    assert_eq!(after.team(team).map(|t| t.score), Some(100));
    // An earlier snapshot is immutable.
    assert_eq!(before.seq(), 1);
    check_consistent(&after, &memory).await;
}

/// What a retry of `original` with the same key must get.
fn retried(original: &Verdict) -> Verdict {
    match original {
        Verdict::Correct { .. } | Verdict::Incorrect { .. } | Verdict::Partial { .. } => {
            duplicate(original.clone())
        }
        // Refusals record nothing, so the retry is decided afresh; in this test nothing that
        // could change a refusal happens between the two calls of one task.
        other => other.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_submissions_solve_each_challenge_once() {
    const TASKS: u32 = 32;
    const TEAMS: u32 = 8;
    const SHARED_KEY: u128 = u128::MAX;
    let store = MemoryStore::new();
    let engine = Arc::new(create(&store).await);
    let mut teams = Vec::new();
    for i in 0..TEAMS {
        teams.push(
            engine
                .register(&format!("Team {i}"), None, at(-60))
                .await
                .expect("registers"),
        );
    }

    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let engine = engine.clone();
        let team = teams[(task % TEAMS) as usize];
        tasks.push(tokio::spawn(async move {
            // Four tasks share each team. Even teams go on to unlock and solve `gated`; every
            // task tries `three` with one key shared by all 32 tasks.
            let wrong = format!("wrong {}", task % 3);
            let mut plan = vec![
                ("one", wrong.as_str(), u128::from(task) << 8),
                ("one", "Answer One", (u128::from(task) << 8) + 1),
                ("one", "wrong 0", (u128::from(task) << 8) + 2),
                ("three", "answer three", SHARED_KEY),
            ];
            if task % 2 == 0 {
                plan.push(("two", "answer two", (u128::from(task) << 8) + 3));
            }
            plan.push(("gated", "answer four", (u128::from(task) << 8) + 4));
            let mut verdicts = Vec::new();
            for (step, (challenge, answer, k)) in plan.into_iter().enumerate() {
                let now = at(i64::from(task) * 10 + step as i64);
                let first = engine.submit(team, challenge, answer, key(k), now).await;
                let first = first.expect("the store does not fail");
                // Every other submission is retried with its key, as after a timeout.
                if step % 2 == 0 {
                    let again = engine.submit(team, challenge, answer, key(k), now).await;
                    assert_eq!(again.ok(), Some(retried(&first)), "task {task} step {step}");
                }
                verdicts.push((challenge, k, first));
            }
            (team, verdicts)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("no task panics"));
    }

    let state = engine.snapshot();
    // Each (team, challenge) was judged correct at most once, and exactly when it is solved.
    let mut correct_verdicts: HashMap<(TeamId, &str), u32> = HashMap::new();
    let mut shared: HashMap<&str, u32> = HashMap::new();
    for (team, verdicts) in &results {
        for (challenge, k, verdict) in verdicts {
            if matches!(verdict, Verdict::Correct { .. }) {
                *correct_verdicts.entry((*team, challenge)).or_default() += 1;
            }
            if *k == SHARED_KEY {
                let kind = match verdict {
                    Verdict::Correct { .. } => "correct",
                    Verdict::Duplicate { original } if original.is_correct() => "duplicate",
                    Verdict::KeyConflict => "conflict",
                    other => panic!("the shared key got {other:?}"),
                };
                *shared.entry(kind).or_default() += 1;
            }
        }
    }
    for &team in &teams {
        let team_state = state.team(team).expect("a registered team");
        for challenge in &state.hunt().challenges {
            let solved = u32::from(team_state.has_solved(challenge.id));
            let judged = correct_verdicts
                .get(&(team, challenge.slug.as_str()))
                .copied();
            assert_eq!(judged.unwrap_or(0), solved, "{team} / {}", challenge.slug);
        }
        let even = team.0 % 2 == 0;
        let expected = 100 + if even { 200 + 400 } else { 0 };
        let three = team_state.solves().iter().any(|s| s.points == 300);
        assert_eq!(
            team_state.score,
            expected + if three { 300 } else { 0 },
            "{team}"
        );
    }
    // One key shared by every task: judged once, the winner's teammates get its verdict back,
    // everyone else learns nothing.
    let expected_shared: HashMap<&str, u32> = [("correct", 1), ("duplicate", 3), ("conflict", 28)]
        .into_iter()
        .collect();
    assert_eq!(shared, expected_shared);
    let three = state.hunt().challenge_by_slug("three").expect("three").id;
    assert_eq!(state.solve_count(three), 1);
    check_consistent(&state, &store).await;

    let reopened = open(&store).await;
    let again = reopened.snapshot();
    assert_eq!(again.seq(), state.seq());
    assert_eq!(again.standings(), state.standings());
    for (team, team_state) in state.teams() {
        assert_eq!(again.team(team), Some(team_state));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_append_applies_nothing_and_a_retry_succeeds() {
    let store = MemoryStore::new();
    let engine = create(&store).await;
    store.fail_next_appends(1);
    let failed = engine.register("Alpha", None, at(-60)).await;
    assert!(failed.as_ref().is_err_and(is_injected), "{failed:?}");
    assert_eq!(engine.snapshot().team_count(), 0);
    let team = engine
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    assert_eq!(team, TeamId(0));

    store.fail_next_appends(1);
    let failed = engine
        .submit(team, "one", "answer one", key(1), at(1))
        .await;
    assert!(failed.as_ref().is_err_and(is_injected), "{failed:?}");
    let snapshot = engine.snapshot();
    assert_eq!(snapshot.seq(), 1);
    assert_eq!(snapshot.team(team).map(|t| t.score), Some(0));
    assert_eq!(log(&store).await.len(), 1);

    let verdict = engine
        .submit(team, "one", "answer one", key(1), at(2))
        .await;
    assert_eq!(verdict.ok(), Some(correct(100, true)));
    let snapshot = engine.snapshot();
    assert_eq!(
        snapshot.team(team).map(|t| (t.score, t.solve_count())),
        Some((100, 1))
    );
    check_consistent(&snapshot, &store).await;
}

/// An engine with team Alpha whose correct answer to `challenge` (key 1) was written to the
/// store but reported as failed.
async fn written_but_reported_failed(store: &MemoryStore, challenge: &str, answer: &str) -> Engine {
    let engine = create(store).await;
    let team = engine
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    store.fail_after_next_append();
    let failed = engine.submit(team, challenge, answer, key(1), at(1)).await;
    // The engine settles the unknown outcome itself: the write landed, so the caller gets
    // the first decision's verdict, and the command is in the log once.
    assert!(matches!(failed, Ok(Verdict::Correct { .. })), "{failed:?}");
    assert_eq!(log(store).await.len(), 2);
    engine
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_after_an_unknown_outcome_gets_the_original_verdict() {
    let store = MemoryStore::new();
    let engine = written_but_reported_failed(&store, "one", "answer one").await;
    let team = TeamId(0);
    let retry = engine
        .submit(team, "one", "answer one", key(1), at(2))
        .await;
    assert_eq!(retry.ok(), Some(duplicate(correct(100, true))));
    let again = engine
        .submit(team, "one", "answer one", key(2), at(3))
        .await;
    assert_eq!(again.ok(), Some(Verdict::AlreadySolved));

    let snapshot = engine.snapshot();
    assert_eq!(
        snapshot.team(team).map(|t| (t.score, t.solve_count())),
        Some((100, 1))
    );
    check_consistent(&snapshot, &store).await;
    let reopened = open(&store).await;
    assert_eq!(reopened.snapshot().standings(), snapshot.standings());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_after_an_unknown_outcome_gets_the_original_verdict_after_the_end() {
    // A retry must get its original verdict even after the window closed.
    let store = MemoryStore::new();
    let engine = written_but_reported_failed(&store, "one", "answer one").await;
    let retry = engine
        .submit(TeamId(0), "one", "answer one", key(1), end())
        .await;
    assert_eq!(retry.ok(), Some(duplicate(correct(100, true))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_an_unknown_outcome_the_next_command_sees_what_was_written() {
    // The solve of `two` reached the store, so `gated` is open: the store says so, and the
    // engine must re-read it before deciding again.
    let store = MemoryStore::new();
    let engine = written_but_reported_failed(&store, "two", "answer two").await;
    let verdict = engine
        .submit(TeamId(0), "gated", "answer four", key(2), at(2))
        .await;
    assert_eq!(verdict.ok(), Some(correct(400, true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recovering_from_an_unknown_outcome_never_rolls_the_snapshot_back() {
    let store = MemoryStore::new();
    let engine = written_but_reported_failed(&store, "one", "answer one").await;
    let team = TeamId(0);
    let retry = engine
        .submit(team, "one", "answer one", key(1), at(2))
        .await;
    assert_eq!(retry.ok(), Some(duplicate(correct(100, true))));
    assert_eq!(engine.snapshot().seq(), 2);
    // A submission that records nothing must not take the solve back off the board.
    let locked = engine
        .submit(team, "no-such-challenge", "x", key(3), at(3))
        .await;
    assert_eq!(locked.ok(), Some(Verdict::Locked));
    let snapshot = engine.snapshot();
    assert_eq!(snapshot.seq(), 2);
    assert_eq!(snapshot.team(team).map(|t| t.score), Some(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_engines_on_one_store_resolve_conflicts_by_catching_up() {
    let store = MemoryStore::new();
    let first = create(&store).await;
    let second = open(&store).await;
    let alpha = first
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    // The second engine is behind: its append conflicts, it catches up and decides again.
    let bravo = second
        .register("Bravo", None, at(-50))
        .await
        .expect("registers");
    assert_eq!((alpha, bravo), (TeamId(0), TeamId(1)));
    let taken = first.register("bravo", None, at(-40)).await;
    assert!(
        matches!(
            &taken,
            Err(EngineError::Command(CommandError::NameTaken(_)))
        ),
        "{taken:?}"
    );

    let cases = [
        (&first, alpha, 1, correct(100, true)),
        // The same team through the other engine, with another key: solved once only.
        (&second, alpha, 2, Verdict::AlreadySolved),
        (&second, bravo, 3, correct(100, false)),
        (&first, bravo, 4, Verdict::AlreadySolved),
        // Key 2 was refused, so it is still free; key 3 was Bravo's, which this engine has
        // read while catching up.
        (&first, alpha, 3, Verdict::KeyConflict),
    ];
    for (minute, (engine, team, k, expected)) in (1..).zip(cases) {
        let verdict = engine
            .submit(team, "one", "answer one", key(k), at(minute))
            .await;
        assert_eq!(verdict.ok(), Some(expected), "{team} with key {k}");
    }

    let seq = log(&store).await.len() as u64;
    assert_eq!(first.catch_up().await.ok(), Some(seq));
    assert_eq!(second.catch_up().await.ok(), Some(seq));
    let (one, two) = (first.snapshot(), second.snapshot());
    assert_eq!(one.standings(), two.standings());
    let solves = one.hunt().challenge_by_slug("one").expect("one").id;
    assert_eq!(one.solve_count(solves), 2);
    check_consistent(&one, &store).await;
    check_consistent(&two, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_command_after_catching_up_is_decided_on_the_caught_up_state() {
    let store = MemoryStore::new();
    let first = create(&store).await;
    let second = open(&store).await;
    let alpha = first
        .register("Alpha", None, at(-60))
        .await
        .expect("registers");
    assert_eq!(second.catch_up().await.ok(), Some(1));
    assert_eq!(second.snapshot().team_count(), 1);
    // A submission that records nothing: judged against the state the engine caught up to.
    let verdict = second
        .submit(alpha, "no-such-challenge", "x", key(1), at(1))
        .await;
    assert_eq!(verdict.ok(), Some(Verdict::Locked));
    assert_eq!(second.snapshot().seq(), 1);
}

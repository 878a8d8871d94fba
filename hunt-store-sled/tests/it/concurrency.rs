//! Many concurrent submitters through the `Engine` on one `SledStore`: nothing solved twice,
//! scores that add up, and every acknowledged submission still there after a clean reopen.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use hunt_core::command::Command;
use hunt_core::engine::Engine;
use hunt_core::state::Outcome;
use hunt_core::{IdempotencyKey, TeamId, Verdict};
use tokio::task::JoinSet;

use crate::support::{
    Rng, Submission, at, check_against_log, definition, hunt_id, open_store, read_log, recorded,
    team_name,
};

/// Concurrent submitting tasks.
const TASKS: u64 = 32;

/// Submissions in all, across the tasks.
const SUBMISSIONS: u64 = 100_000;

// Each task takes an equal share.
const _: () = assert!(SUBMISSIONS.is_multiple_of(TASKS));

/// Registered teams: enough that most submissions are judged (and so written) rather than
/// refused as already solved.
const TEAMS: u32 = 1_000;

/// How often, in percent, a fresh submission has the right answer.
const RIGHT: u64 = 10;

/// What one task was told: each acknowledged submission and its verdict, in order.
type Acks = Vec<(Submission, Verdict)>;

/// One task's share of the workload: fresh submissions, replays of its own keys (same
/// submission, or the key reused for another challenge), and now and then an award.
async fn submit_many(
    engine: Arc<Engine>,
    task: u64,
    count: u64,
    clock: Arc<AtomicI64>,
    awards: Arc<AtomicU64>,
) -> Acks {
    let mut rng = Rng::new(0x5eed_0000 + task);
    let mut acks: Acks = Vec::with_capacity(count as usize);
    for n in 0..count {
        let now = at(clock.fetch_add(1, Ordering::Relaxed));
        if rng.below(100) == 0 {
            // An admin award, besides the submissions: scores must include it.
            let team = TeamId(rng.below(u64::from(TEAMS)) as u32);
            let delta = rng.below(50) as i64 - 10;
            let delta = if delta == 0 { 7 } else { delta };
            let command = Command::Adjust {
                team,
                delta,
                reason: format!("award {task}/{n}"),
            };
            let outcome = engine.execute(command, now).await.expect("awards succeed");
            assert_eq!(outcome, Outcome::Adjusted { team, delta });
            awards.fetch_add(1, Ordering::Relaxed);
        }
        let roll = rng.below(100);
        let (submission, first) = if roll < 11 && !acks.is_empty() {
            let (earlier, verdict) = &acks[rng.below(acks.len() as u64) as usize];
            let mut again = earlier.clone();
            if roll < 3 {
                // The same key for another challenge must be refused, not judged.
                again.challenge = (again.challenge + 1) % crate::support::CHALLENGES.len();
            }
            (again, Some(verdict.clone()))
        } else {
            let key = IdempotencyKey(u128::from(task) << 64 | u128::from(n));
            (Submission::random(&mut rng, TEAMS, RIGHT, key), None)
        };
        let verdict = engine
            .submit(
                submission.team,
                submission.slug(),
                &submission.answer,
                submission.key,
                now,
            )
            .await
            .expect("submissions succeed");
        if let Some(first) = first.as_ref().filter(|first| recorded(first)) {
            let expected = if roll < 3 {
                Verdict::KeyConflict
            } else {
                Verdict::Duplicate {
                    original: Box::new(first.clone()),
                }
            };
            assert_eq!(verdict, expected, "a replay of {:?}", submission.key);
        }
        acks.push((submission, verdict));
    }
    acks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_count_once_and_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let hunt = hunt_id("concurrency");
    let store = open_store(dir.path());
    let engine = Engine::create(store.clone(), &definition("concurrency"), None)
        .await
        .expect("the test hunt is valid");
    let engine = Arc::new(engine);
    let mut registering = JoinSet::new();
    for i in 0..TEAMS {
        let engine = engine.clone();
        registering.spawn(async move { engine.register(&team_name(i), None, at(-1)).await });
    }
    while let Some(done) = registering.join_next().await {
        done.expect("no task panics").expect("registers");
    }
    let clock = Arc::new(AtomicI64::new(0));
    let awards = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for task in 0..TASKS {
        let count = SUBMISSIONS / TASKS;
        tasks.spawn(submit_many(
            engine.clone(),
            task,
            count,
            clock.clone(),
            awards.clone(),
        ));
    }
    let mut acks = Vec::new();
    while let Some(done) = tasks.join_next().await {
        acks.extend(done.expect("no task panics"));
    }
    let elapsed = started.elapsed();
    assert_eq!(
        acks.len() as u64,
        SUBMISSIONS,
        "every submission was acknowledged"
    );

    let snapshot = engine.snapshot();
    let log = read_log(&*store, &hunt).await;
    let keys = check_against_log(&snapshot, &log);
    let mut kinds: HashMap<&'static str, u64> = HashMap::new();
    for (submission, verdict) in &acks {
        *kinds.entry(kind(verdict)).or_default() += 1;
        if recorded(verdict) {
            let (team, slug, _) = keys.get(&submission.key).unwrap_or_else(|| {
                panic!("{:?} was acknowledged but is not in the log", submission)
            });
            assert_eq!((*team, slug.as_str()), (submission.team, submission.slug()));
        }
    }
    let events = log.len();
    let standings = snapshot.standings();
    drop((snapshot, store, engine));

    // A clean reopen: a new store on the same directory, and an engine replaying its log.
    let store = open_store(dir.path());
    let reopened = Engine::open(store.clone(), &hunt, None)
        .await
        .expect("the hunt reopens");
    let state = reopened.snapshot();
    assert_eq!(
        state.standings(),
        standings,
        "the standings survive a reopen"
    );
    check_against_log(&state, &read_log(&*store, &hunt).await);
    // Deciding each acknowledged submission again is what a client's retry does: it must get
    // its original verdict back, and nothing recorded twice.
    let mut checked = 0;
    for (submission, verdict) in &acks {
        if !recorded(verdict) {
            continue;
        }
        let command = Command::Submit {
            team: submission.team,
            challenge: submission.slug().to_owned(),
            answer: submission.answer.clone(),
            key: submission.key,
        };
        let decision = state.decide(&command, at(0)).expect("a valid command");
        assert_eq!(
            decision.outcome,
            Outcome::Verdict(Verdict::Duplicate {
                original: Box::new(verdict.clone())
            }),
            "after a reopen, a retry of {submission:?}"
        );
        assert!(decision.events.is_empty());
        checked += 1;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort();
    eprintln!(
        "concurrency: {} acknowledged submissions and {} awards from {TASKS} tasks in \
         {elapsed:?} ({:.0} submissions/s), {events} events, {checked} recorded verdicts \
         checked after reopen; verdicts: {kinds:?}",
        acks.len(),
        awards.load(Ordering::Relaxed),
        acks.len() as f64 / elapsed.as_secs_f64()
    );
}

/// A short name for a verdict's kind, for the summary.
fn kind(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Correct { .. } => "correct",
        Verdict::Incorrect { .. } => "incorrect",
        Verdict::Partial { .. } => "partial",
        Verdict::AlreadySolved => "already solved",
        Verdict::Locked => "locked",
        Verdict::NotOpen(_) => "not open",
        Verdict::AttemptsExhausted => "attempts exhausted",
        Verdict::Duplicate { .. } => "duplicate",
        Verdict::KeyConflict => "key conflict",
        _ => "other",
    }
}

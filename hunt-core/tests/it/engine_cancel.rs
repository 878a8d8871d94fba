//! A leader cancelled in the middle of the store's append (an HTTP client that disconnects
//! drops its handler's future): every command of its batch, of every kind, is applied
//! exactly once, and every caller still waiting gets the outcome of the first decision,
//! whether the held append lands before the next leader looks, after it wrote the batch
//! itself, or never.
//!
//! These run on a current-thread runtime, so tasks run in the order they were spawned and
//! "every spawned task is waiting" is a few yields away: the batch is the same on every run.

use crate::clock::at;
use std::sync::Arc;

use hunt_core::engine::{Engine, EngineError};
use hunt_core::state::{HuntState, Outcome};
use hunt_core::store::{MemoryStore, Store};
use hunt_core::{Command, Event, HuntId, IdempotencyKey, TeamId};
use tokio::task::JoinHandle;

const HUNT: &str = r#"
id = "cancel"
title = "Cancelled leaders"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]

[[challenge]]
id = "capped"
title = "Capped"
points = 200
answers = ["answer two"]
max_attempts = 1

[[challenge.hint]]
id = "nudge"
content = "Look closer."
cost = 10
"#;

const ALPHA: TeamId = TeamId(0);

/// The key of the cancelled leader's own command.
const LEAD: u128 = 17;

fn hunt_id() -> HuntId {
    HuntId::new("cancel").expect("a valid hunt id")
}

/// The cancelled leader's command, then one command of every kind from its own caller.
fn batch() -> Vec<(u128, Command)> {
    let submit = |challenge: &str, answer: &str, key| Command::Submit {
        team: ALPHA,
        challenge: challenge.into(),
        answer: answer.into(),
        key: IdempotencyKey(key),
    };
    vec![
        (LEAD, submit("one", "answer one", LEAD)),
        (
            11,
            Command::Register {
                name: "Beta".into(),
                division: None,
            },
        ),
        (
            12,
            Command::Adjust {
                team: ALPHA,
                delta: 5,
                reason: "bonus".into(),
            },
        ),
        (
            13,
            Command::GrantAttempts {
                team: ALPHA,
                challenge: "capped".into(),
                extra: 2,
            },
        ),
        (
            14,
            Command::TakeHint {
                team: ALPHA,
                challenge: "capped".into(),
                hint: "nudge".into(),
            },
        ),
        (15, submit("capped", "wrong", 15)),
        (
            16,
            Command::SetHidden {
                team: ALPHA,
                hidden: true,
            },
        ),
    ]
}

/// Lets every spawned task run until it waits.
async fn settle() {
    for _ in 0..32 {
        tokio::task::yield_now().await;
    }
}

/// What happens to the cancelled leader's held append.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// It lands before the next leader looks at the log.
    LandsFirst,
    /// It is let go after the next leader appended the batch itself: its expectation no
    /// longer holds, so it writes nothing.
    LandsLate,
    /// It never lands (the connection died before the commit).
    Lost,
}

async fn a_cancelled_leader_applies_its_batch_once(fate: Fate) {
    let store = MemoryStore::new();
    let engine = Arc::new(
        Engine::create(Arc::new(store.clone()), HUNT, None)
            .await
            .expect("the test hunt is valid"),
    );
    engine
        .register_with_key("Alpha", None, IdempotencyKey(1), at(10))
        .await
        .expect("registers");
    let now = at(20);

    // A first write holds the writer, so that the whole batch queues behind it.
    let first = store.hold_next_append();
    let warm_up = Command::Adjust {
        team: ALPHA,
        delta: 1,
        reason: "warm-up".into(),
    };
    let first_caller = tokio::spawn({
        let engine = engine.clone();
        async move {
            engine
                .execute_with_key(warm_up, IdempotencyKey(10), now)
                .await
        }
    });
    first.reached().await;
    let callers: Vec<(u128, JoinHandle<Result<Outcome, EngineError>>)> = batch()
        .into_iter()
        .map(|(key, command)| {
            let engine = engine.clone();
            let caller = tokio::spawn(async move {
                engine
                    .execute_with_key(command, IdempotencyKey(key), now)
                    .await
            });
            (key, caller)
        })
        .collect();
    settle().await;

    // The first write lands; the batch's first caller leads it into a held append.
    let held = store.hold_next_append();
    assert!(first.land());
    held.reached().await;
    first_caller
        .await
        .expect("not cancelled")
        .expect("the warm-up is applied");
    let before = store.read(&hunt_id(), 0, usize::MAX).await.unwrap();
    let base = before.len() as u64;

    // What the first decision of the batch is: the oracle decides it in queue order.
    let mut oracle = HuntState::replay(engine.snapshot().hunt().clone(), None, &before).unwrap();
    let mut decided_events: Vec<Event> = Vec::new();
    let mut first_outcomes = Vec::new();
    for (key, command) in batch() {
        let decision = oracle
            .decide_with_key(&command, IdempotencyKey(key), now)
            .expect("every command of the batch is valid");
        oracle.apply_all(&decision.events).unwrap();
        decided_events.extend(decision.events);
        first_outcomes.push((key, decision.outcome));
    }

    // The leader's caller disconnects in the middle of the append.
    let mut callers = callers.into_iter();
    let (_, leader) = callers.next().expect("the leader");
    leader.abort();
    let held = match fate {
        // No await since the abort: nothing else ran, so it lands before anyone looks.
        Fate::LandsFirst => {
            assert!(held.land(), "nothing else was written meanwhile");
            None
        }
        Fate::LandsLate | Fate::Lost => Some(held),
    };
    assert!(leader.await.unwrap_err().is_cancelled());
    settle().await;
    if let Some(held) = held {
        assert_eq!(
            store.end(&hunt_id()).await.unwrap(),
            base + decided_events.len() as u64,
            "the next leader wrote the batch itself while the held append still waited"
        );
        match fate {
            Fate::LandsLate => assert!(!held.land(), "a late append finds the log moved"),
            _ => held.lose(),
        }
    }

    // Every waiting caller gets the first decision's outcome.
    for ((key, caller), (oracle_key, outcome)) in callers.zip(first_outcomes.iter().skip(1)) {
        assert_eq!(key, *oracle_key);
        let answered = caller.await.expect("not cancelled");
        assert_eq!(
            answered.as_ref().ok(),
            Some(outcome),
            "{fate:?}: the caller of command {key} gets its first decision"
        );
    }
    // And the log holds the batch once, exactly as first decided.
    let after = store.read(&hunt_id(), base, usize::MAX).await.unwrap();
    let written: Vec<Event> = after.into_iter().map(|r| r.event).collect();
    assert_eq!(
        written, decided_events,
        "{fate:?}: the batch is in the log once"
    );
    assert_eq!(
        engine.snapshot().seq(),
        store.end(&hunt_id()).await.unwrap()
    );
    let replayed = HuntState::replay(
        oracle.hunt().clone(),
        None,
        &store.read(&hunt_id(), 0, usize::MAX).await.unwrap(),
    )
    .unwrap();
    assert_eq!(engine.snapshot().standings(), replayed.standings());
    assert_eq!(engine.snapshot().team(ALPHA), replayed.team(ALPHA));

    // The cancelled caller retries: it gets the original outcome, and nothing is written.
    let (_, lead_command) = batch().remove(0);
    let retried = engine
        .execute_with_key(lead_command, IdempotencyKey(LEAD), at(30))
        .await
        .expect("a retry is answered");
    let Outcome::Verdict(hunt_core::Verdict::Duplicate { original }) = retried else {
        panic!("{fate:?}: a retry is answered as a duplicate, got {retried:?}");
    };
    assert_eq!(Outcome::Verdict(*original), first_outcomes[0].1);
    assert_eq!(
        store.end(&hunt_id()).await.unwrap(),
        base + decided_events.len() as u64
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_leader_cancelled_mid_append_whose_write_lands_first() {
    a_cancelled_leader_applies_its_batch_once(Fate::LandsFirst).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_leader_cancelled_mid_append_whose_write_lands_late() {
    a_cancelled_leader_applies_its_batch_once(Fate::LandsLate).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_leader_cancelled_mid_append_whose_write_never_lands() {
    a_cancelled_leader_applies_its_batch_once(Fate::Lost).await;
}

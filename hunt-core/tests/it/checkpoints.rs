//! Checkpoints through the `Engine` over `MemoryStore`: opening from a verified checkpoint
//! equals a full replay, and every kind of mismatch (another log, a shorter log, a changed
//! definition, damaged state, a store failure) is ignored and reported, never trusted.

use crate::clock::at;
use std::sync::Arc;

use hunt_core::engine::CheckpointIgnored;
use hunt_core::engine::{Engine, EngineError};
use hunt_core::state::HuntState;
use hunt_core::store::{Checkpoint, MemoryStore, Store};
use hunt_core::{Command, HuntId, IdempotencyKey, TeamId};

const HUNT: &str = r#"
id = "ckpt"
title = "Checkpoints"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["answer one"]
partial = [{ answer = "answer", reply = "Keep going" }]

[[challenge]]
id = "two"
title = "Two"
points = 200
answers = ["answer two"]
max_attempts = 5

[[challenge]]
id = "gated"
title = "Gated"
points = 400
answers = ["answer gated"]
unlock = "two"
"#;

fn hunt_id() -> HuntId {
    HuntId::new("ckpt").expect("a valid hunt id")
}

/// Plays `rounds` rounds of submissions from `teams` teams (registering them first if
/// needed): right, wrong, partial and locked answers, an adjustment and a hidden team.
async fn play(engine: &Engine, teams: u32, rounds: u32, salt: u128) {
    for t in engine.snapshot().team_count() as u32..teams {
        engine
            .register(&format!("Team {t}"), (t % 3 == 0).then_some("pro"), at(0))
            .await
            .expect("registers");
    }
    let answers = [
        ("one", "answer one"),
        ("two", "wrong"),
        ("one", "answer"),
        ("gated", "answer gated"),
        ("two", "answer two"),
        ("two", "also wrong"),
    ];
    for round in 0..rounds {
        for t in 0..teams {
            let (challenge, answer) = answers[((t + round) as usize) % answers.len()];
            let key = IdempotencyKey(salt << 64 | u128::from(round) << 32 | u128::from(t));
            engine
                .submit(TeamId(t), challenge, answer, key, at(i64::from(round + 1)))
                .await
                .expect("submits");
        }
    }
    let adjust = Command::Adjust {
        team: TeamId(1),
        delta: 7,
        reason: "style".into(),
    };
    engine.execute(adjust, at(30)).await.expect("adjusts");
    let hide = Command::SetHidden {
        team: TeamId(2),
        hidden: salt.is_multiple_of(2),
    };
    engine.execute(hide, at(31)).await.expect("hides");
}

/// A store holding the hunt and a log played by `teams` teams for `rounds` rounds.
async fn played(teams: u32, rounds: u32) -> (MemoryStore, Engine) {
    let store = MemoryStore::new();
    let engine = Engine::create(Arc::new(store.clone()), HUNT, None)
        .await
        .expect("creates");
    play(&engine, teams, rounds, 1).await;
    (store, engine)
}

/// Asserts that `state` equals a full replay of the log in `store`: position, standings,
/// every team, names, and the verdict a retry of every key gets.
async fn check_equals_replay(store: &MemoryStore, state: &HuntState) {
    let log = store.read(&hunt_id(), 0, usize::MAX).await.expect("reads");
    let replayed = HuntState::replay(state.hunt().clone(), None, &log).expect("replays");
    assert_eq!(state.seq(), replayed.seq(), "position");
    assert_eq!(state.standings(), replayed.standings(), "standings");
    assert_eq!(state.team_count(), replayed.team_count());
    for (team, row) in replayed.teams() {
        assert_eq!(state.team(team), Some(row), "{team}");
        assert_eq!(state.team_by_name(&row.name), Some(team), "{team}'s name");
    }
    for recorded in &log {
        if let hunt_core::Event::SubmissionJudged {
            team,
            challenge,
            key,
            answer,
            ..
        } = &recorded.event
        {
            let retry = Command::Submit {
                team: *team,
                challenge: challenge.clone(),
                answer: answer.clone(),
                key: *key,
            };
            assert_eq!(
                state.decide(&retry, at(60)).expect("decides").outcome,
                replayed.decide(&retry, at(60)).expect("decides").outcome,
                "a retry of key {key}"
            );
        }
    }
}

async fn reopen(store: &MemoryStore) -> Engine {
    Engine::open(Arc::new(store.clone()), &hunt_id(), None)
        .await
        .expect("reopens")
}

#[tokio::test]
async fn reopening_from_a_checkpoint_equals_a_full_replay() {
    let (store, engine) = played(12, 9).await;
    assert_eq!(engine.opened().checkpoint, None);
    assert!(engine.checkpoint_due(10));
    let seq = engine.checkpoint().await.expect("checkpoints");
    assert_eq!(seq, engine.snapshot().seq());
    assert_eq!(engine.last_checkpoint(), seq);
    assert!(!engine.checkpoint_due(1));
    // Nothing new: no second save.
    assert_eq!(engine.checkpoint().await.expect("checkpoints"), seq);

    // Reopened right at the checkpoint.
    let again = reopen(&store).await;
    let opened = again.opened();
    assert_eq!(
        (opened.checkpoint, opened.replayed),
        (Some(seq), 0),
        "{opened:?}"
    );
    assert!(opened.ignored.is_none());
    check_equals_replay(&store, &again.snapshot()).await;
    // The compiled hunt came from the checkpoint, and is the one the definition compiles to.
    assert!(opened.compiled_from_checkpoint, "{opened:?}");
    assert!(!engine.opened().compiled_from_checkpoint);
    let fresh = hunt_core::definition::load(HUNT).expect("the hunt loads");
    let decoded = again.snapshot().hunt().clone();
    assert_eq!(
        format!("{:?}", decoded.challenges),
        format!("{:?}", fresh.challenges)
    );
    assert_eq!(decoded.by_slug.len(), fresh.by_slug.len());
    let log = store.read(&hunt_id(), 0, usize::MAX).await.expect("reads");
    let replayed = HuntState::replay(Arc::new(fresh), None, &log).expect("replays");
    assert_eq!(again.snapshot().standings(), replayed.standings());

    // More events after the checkpoint are caught up; then the reopened engine goes on.
    play(&engine, 15, 4, 2).await;
    let end = engine.snapshot().seq();
    drop((engine, again));
    let again = reopen(&store).await;
    assert_eq!(again.opened().checkpoint, Some(seq));
    assert_eq!(again.opened().replayed, end - seq);
    assert_eq!(again.last_checkpoint(), seq);
    check_equals_replay(&store, &again.snapshot()).await;
    play(&again, 16, 3, 3).await;
    check_equals_replay(&store, &again.snapshot()).await;
    assert!(again.checkpoint_due(1));
    let newer = again.checkpoint().await.expect("checkpoints");
    assert_eq!(newer, again.snapshot().seq());
    let last = reopen(&store).await;
    assert_eq!(
        (last.opened().checkpoint, last.opened().replayed),
        (Some(newer), 0)
    );
    check_equals_replay(&store, &last.snapshot()).await;
}

#[tokio::test]
async fn an_empty_log_has_no_checkpoint() {
    let store = MemoryStore::new();
    let engine = Engine::create(Arc::new(store.clone()), HUNT, None)
        .await
        .expect("creates");
    assert!(!engine.checkpoint_due(1));
    assert_eq!(engine.checkpoint().await.expect("nothing to do"), 0);
    assert_eq!(
        store.load_checkpoint(&hunt_id()).await.expect("loads"),
        None
    );
}

/// Saves `checkpoint` in the store and reopens, expecting it to be ignored for `reason`, and
/// the state to equal a full replay.
async fn check_ignored(
    store: &MemoryStore,
    checkpoint: &Checkpoint,
    reason: impl Fn(&CheckpointIgnored) -> bool,
) {
    let saved = store
        .save_checkpoint(&hunt_id(), checkpoint)
        .await
        .expect("saves");
    assert!(saved, "the checkpoint at {} was not saved", checkpoint.seq);
    let engine = reopen(store).await;
    let opened = engine.opened();
    assert_eq!(opened.checkpoint, None, "{opened:?}");
    assert!(!opened.compiled_from_checkpoint, "{opened:?}");
    assert_eq!(opened.replayed, engine.snapshot().seq());
    let ignored = opened.ignored.as_ref().expect("a reason");
    assert!(reason(ignored), "ignored for the wrong reason: {ignored:?}");
    check_equals_replay(store, &engine.snapshot()).await;
}

#[tokio::test]
async fn a_checkpoint_of_another_log_is_ignored() {
    // Two stores with the same hunt and different logs of the same length.
    let (store, engine) = played(8, 5).await;
    let seq = engine.checkpoint().await.expect("checkpoints");
    let checkpoint = store.load_checkpoint(&hunt_id()).await.unwrap().unwrap();
    let other = MemoryStore::new();
    let engine = Engine::create(Arc::new(other.clone()), HUNT, None)
        .await
        .expect("creates");
    play(&engine, 8, 5, 5).await;
    assert_eq!(engine.snapshot().seq(), seq, "logs of the same length");
    check_ignored(
        &other,
        &checkpoint,
        |r| matches!(r, CheckpointIgnored::EventMismatch(s) if *s == seq),
    )
    .await;
}

#[tokio::test]
async fn a_checkpoint_past_the_end_of_the_log_is_ignored() {
    let (store, engine) = played(8, 5).await;
    engine.checkpoint().await.expect("checkpoints");
    let checkpoint = store.load_checkpoint(&hunt_id()).await.unwrap().unwrap();
    // The same hunt, played identically but shorter: the log ends before the checkpoint.
    let short = MemoryStore::new();
    let engine = Engine::create(Arc::new(short.clone()), HUNT, None)
        .await
        .expect("creates");
    play(&engine, 8, 3, 1).await;
    check_ignored(
        &short,
        &checkpoint,
        |r| matches!(r, CheckpointIgnored::LogTooShort(s) if *s == checkpoint.seq),
    )
    .await;
}

#[tokio::test]
async fn a_changed_definition_makes_the_checkpoint_ignored() {
    let (store, engine) = played(6, 4).await;
    engine.checkpoint().await.expect("checkpoints");
    let checkpoint = store.load_checkpoint(&hunt_id()).await.unwrap().unwrap();
    drop(engine);
    // Same challenges, one more point: every solve of `one` is now worth more.
    let changed = HUNT.replacen("points = 100", "points = 101", 1);
    store
        .save_definition(
            &hunt_id(),
            &changed,
            Some(hunt_core::store::definition_digest(HUNT)),
        )
        .await
        .expect("saves");
    check_ignored(&store, &checkpoint, |r| {
        matches!(r, CheckpointIgnored::DefinitionChanged)
    })
    .await;
    let engine = reopen(&store).await;
    let one = engine
        .snapshot()
        .hunt()
        .challenge_by_slug("one")
        .unwrap()
        .id;
    let solver = engine
        .snapshot()
        .teams()
        .find(|(_, t)| t.has_solved(one))
        .map(|(_, t)| t.solve_of(one).unwrap().points);
    assert_eq!(solver, Some(101), "the replay used the new definition");
}

#[tokio::test]
async fn damaged_or_foreign_checkpoints_are_ignored() {
    let (store, engine) = played(6, 4).await;
    engine.checkpoint().await.expect("checkpoints");
    let good = store.load_checkpoint(&hunt_id()).await.unwrap().unwrap();

    let mut torn = good.clone();
    torn.state.truncate(torn.state.len() / 2);
    check_ignored(&store, &torn, |r| {
        matches!(r, CheckpointIgnored::Undecodable(_))
    })
    .await;

    let mut flipped = good.clone();
    let middle = flipped.state.len() / 2;
    flipped.state[middle] ^= 1;
    check_ignored(&store, &flipped, |r| {
        matches!(r, CheckpointIgnored::Undecodable(_))
    })
    .await;

    let garbage = Checkpoint {
        state: b"not a snapshot at all".to_vec(),
        ..good.clone()
    };
    check_ignored(&store, &garbage, |r| {
        matches!(r, CheckpointIgnored::Undecodable(_))
    })
    .await;

    // A state from an earlier position under the right event digest: the positions differ.
    let earlier = MemoryStore::new();
    let engine = Engine::create(Arc::new(earlier.clone()), HUNT, None)
        .await
        .expect("creates");
    play(&engine, 6, 2, 1).await;
    engine.checkpoint().await.expect("checkpoints");
    let earlier = earlier.load_checkpoint(&hunt_id()).await.unwrap().unwrap();
    let mislabelled = Checkpoint {
        state: earlier.state,
        ..good.clone()
    };
    check_ignored(&store, &mislabelled, |r| {
        matches!(r, CheckpointIgnored::Undecodable(_))
    })
    .await;

    let other_hunt = Checkpoint {
        hunt: HuntId::new("other").unwrap(),
        ..good.clone()
    };
    check_ignored(&store, &other_hunt, |r| {
        matches!(r, CheckpointIgnored::OtherHunt(_))
    })
    .await;

    // Saved in a store of the same log that has no checkpoint yet: a store never replaces a
    // checkpoint by one at an earlier position.
    let at_zero = Checkpoint { seq: 0, ..good };
    let (fresh, _engine) = played(6, 4).await;
    check_ignored(&fresh, &at_zero, |r| matches!(r, CheckpointIgnored::Empty)).await;
}

#[tokio::test]
async fn checkpoint_store_failures_are_reported_and_survived() {
    let (store, engine) = played(6, 4).await;
    store.fail_next_checkpoints(1);
    let failed = engine.checkpoint().await;
    assert!(matches!(failed, Err(EngineError::Store(_))), "{failed:?}");
    assert_eq!(engine.last_checkpoint(), 0);
    let seq = engine.checkpoint().await.expect("the next one saves");

    store.fail_next_checkpoints(1);
    let engine = reopen(&store).await;
    assert_eq!(engine.opened().checkpoint, None);
    assert!(matches!(
        engine.opened().ignored,
        Some(CheckpointIgnored::Unreadable(_))
    ));
    check_equals_replay(&store, &engine.snapshot()).await;
    // Log reads fail while verifying: the checkpoint is ignored; the replay then reads.
    store.fail_next_reads(1);
    let engine = reopen(&store).await;
    assert!(matches!(
        engine.opened().ignored,
        Some(CheckpointIgnored::Unreadable(_))
    ));
    check_equals_replay(&store, &engine.snapshot()).await;
    let engine = reopen(&store).await;
    assert_eq!(engine.opened().checkpoint, Some(seq));
}

/// Opening reads the log in chunks (of 100,000 events while opening, 10,000 while catching
/// up): a log longer than several reads opens whole, from the log alone and from a
/// checkpoint in the middle of it.
#[tokio::test]
async fn a_log_longer_than_several_reads_opens_whole() {
    const TEAMS: u32 = 230_001;
    const CHECKPOINT_AT: u64 = 120_000;
    let with_checkpoint = MemoryStore::new();
    let log_alone = MemoryStore::new();
    let engine = Engine::create(Arc::new(with_checkpoint.clone()), HUNT, None)
        .await
        .expect("creates");
    // Decided in memory and appended in batches: a quarter of a million engine calls would
    // make this test slow for nothing.
    let mut state = (*engine.snapshot()).clone();
    let source = with_checkpoint
        .load_definition(&hunt_id())
        .await
        .expect("loads")
        .expect("saved");
    log_alone
        .save_definition(&hunt_id(), &source, None)
        .await
        .expect("saves");
    let mut batch = Vec::new();
    for t in 0..TEAMS {
        let register = Command::Register {
            name: format!("Team {t}"),
            division: None,
        };
        for event in state.decide(&register, at(0)).expect("decides").events {
            let recorded = hunt_core::Recorded {
                seq: state.seq() + 1,
                event,
            };
            state.apply(&recorded).expect("applies");
            batch.push(recorded.event);
        }
        if batch.len() == 10_000 || t + 1 == TEAMS {
            let expected = state.seq() - batch.len() as u64;
            for store in [&with_checkpoint, &log_alone] {
                store
                    .append(&hunt_id(), expected, &batch)
                    .await
                    .expect("appends");
            }
            batch.clear();
        }
        if state.seq() == CHECKPOINT_AT {
            let middle = reopen(&with_checkpoint).await;
            assert_eq!(middle.opened().replayed, CHECKPOINT_AT);
            assert_eq!(
                middle.checkpoint().await.expect("checkpoints"),
                CHECKPOINT_AT
            );
        }
    }
    let from_log = reopen(&log_alone).await;
    assert_eq!(from_log.opened().checkpoint, None);
    let from_checkpoint = reopen(&with_checkpoint).await;
    let opened = from_checkpoint.opened();
    assert_eq!(
        (opened.checkpoint, opened.replayed),
        (Some(CHECKPOINT_AT), state.seq() - CHECKPOINT_AT),
        "{opened:?}"
    );
    for (engine, store) in [(from_log, &log_alone), (from_checkpoint, &with_checkpoint)] {
        assert_eq!(engine.snapshot().team_count(), TEAMS as usize);
        assert_eq!(engine.snapshot().seq(), state.seq());
        check_equals_replay(store, &engine.snapshot()).await;
    }
}

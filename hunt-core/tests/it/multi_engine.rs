//! Property test: several engines on one `MemoryStore`, commands sent to any of them in
//! any order, with conflicts (every engine but the last writer is behind), appends that land
//! but are reported unknown, appends reported unknown that never land, and leaders cancelled
//! in the middle of an append whose write then lands or not; callers retry with their
//! command ids on any engine. Afterwards every command is in the log at most once, every
//! answered command as it was answered, and every engine's board equals the oracle's
//! recomputation from the log.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hunt_core::engine::Engine;
use hunt_core::event::{Event, JudgedAs};
use hunt_core::state::{CommandError, Outcome};
use hunt_core::store::{MemoryStore, Store};
use hunt_core::{Command, IdempotencyKey, Span, TeamId, Verdict};
use proptest::prelude::*;

use crate::oracle::{oracle, oracle_board, scenario, to_toml};

const ENGINES: usize = 3;
const MINUTE: i64 = 60_000;

/// Tries per command (each on the next engine) before the property fails it as stuck.
const MAX_TRIES: usize = 50;

/// What the store does to the append of one command's first try.
#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    /// The append lands and is reported unknown.
    LandedUnknown,
    /// The append is reported unknown and writes nothing.
    Lost,
    /// The caller is cancelled while the append is held; then it lands or not.
    Cancelled {
        lands: bool,
    },
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::LandedUnknown),
        1 => Just(Fault::Lost),
        1 => any::<bool>().prop_map(|lands| Fault::Cancelled { lands }),
    ]
}

/// The command's id: a submission's own key, else one from its position.
fn key_of(i: usize, command: &Command) -> IdempotencyKey {
    match command {
        Command::Submit { key, .. } => *key,
        _ => IdempotencyKey(1_000_000 + i as u128),
    }
}

/// Runs the first try of a command on `engine` under `fault`; `None` when the caller gave up
/// (cancelled, or a transient error).
async fn first_try(
    engine: &Arc<Engine>,
    store: &MemoryStore,
    command: Command,
    key: IdempotencyKey,
    now: hunt_core::Timestamp,
    fault: Fault,
) -> Option<Result<Outcome, hunt_core::engine::EngineError>> {
    match fault {
        Fault::None => Some(engine.execute_with_key(command, key, now).await),
        Fault::LandedUnknown => {
            store.fail_after_next_append();
            Some(engine.execute_with_key(command, key, now).await)
        }
        Fault::Lost => {
            store.lose_next_append();
            Some(engine.execute_with_key(command, key, now).await)
        }
        Fault::Cancelled { lands } => {
            let held = store.hold_next_append();
            let mut caller = tokio::spawn({
                let engine = engine.clone();
                async move { engine.execute_with_key(command, key, now).await }
            });
            tokio::select! {
                () = held.reached() => {
                    caller.abort();
                    if lands {
                        held.land();
                    } else {
                        held.lose();
                    }
                    let _ = caller.await;
                    None
                }
                // Nothing to append (a refusal, a duplicate): the hold is disarmed on drop.
                answered = &mut caller => Some(answered.expect("not cancelled")),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn several_engines_with_faults_apply_every_command_once(
        (spec, commands) in scenario(),
        routing in prop::collection::vec((0..ENGINES, fault()), 120),
    ) {
        let source = to_toml(&spec);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let store = MemoryStore::new();
            let first = Engine::create(Arc::new(store.clone()), &source, None)
                .await
                .unwrap_or_else(|e| panic!("{e}\n{source}"));
            let hunt = first.snapshot().hunt().clone();
            let mut engines = vec![Arc::new(first)];
            for _ in 1..ENGINES {
                let engine = Engine::open(Arc::new(store.clone()), &hunt.id, None).await.unwrap();
                engines.push(Arc::new(engine));
            }

            let mut answers: HashMap<IdempotencyKey, Outcome> = HashMap::new();
            for (i, ((minute, command), (route, fault))) in commands.iter().zip(&routing).enumerate() {
                let now = hunt.start.saturating_add(Span::from_millis(minute * MINUTE));
                let key = key_of(i, command);
                let mut answer = first_try(&engines[*route], &store, command.clone(), key, now, *fault).await;
                let mut tries = 1;
                // Retries with the same id on the next engines, as a client that timed out.
                while !matches!(answer, Some(Ok(_)) | Some(Err(hunt_core::engine::EngineError::Command(_)))) {
                    if let Some(Err(error)) = &answer {
                        assert!(error.is_transient(), "command {i} failed for good: {error}");
                    }
                    assert!(tries < MAX_TRIES, "command {i} was never answered");
                    let engine = &engines[(route + tries) % ENGINES];
                    answer = Some(engine.execute_with_key(command.clone(), key, now).await);
                    tries += 1;
                }
                if let Some(Err(hunt_core::engine::EngineError::Command(CommandError::UnknownTeam(team)))) = answer {
                    // Refused as unknown only if no engine has registered the team: a stale
                    // engine reads the log before refusing.
                    let log = store.read(&hunt.id, 0, usize::MAX).await.unwrap();
                    let registered = log.iter().any(|r| matches!(r.event, Event::TeamRegistered { team: t, .. } if t == team));
                    assert!(!registered, "command {i} was refused for the unknown team {team:?}, which the log holds");
                }
                if let Some(Ok(outcome)) = answer {
                    answers.entry(key).or_insert(outcome);
                }
            }

            let log = store.read(&hunt.id, 0, usize::MAX).await.unwrap();
            let mut in_log: HashMap<IdempotencyKey, Vec<&Event>> = HashMap::new();
            for recorded in &log {
                if let Some(key) = recorded.event.key() {
                    in_log.entry(key).or_default().push(&recorded.event);
                }
            }
            for (key, events) in &in_log {
                assert_eq!(events.len(), 1, "command {key:?} is in the log {} times", events.len());
            }
            for (key, outcome) in &answers {
                let found = in_log.get(key).and_then(|e| e.first());
                let judged = match found {
                    Some(Event::SubmissionJudged { judged, .. }) => Some(judged),
                    _ => None,
                };
                let agrees = match outcome {
                    Outcome::Registered(team) => {
                        matches!(found, Some(Event::TeamRegistered { team: t, .. }) if t == team)
                    }
                    Outcome::Verdict(Verdict::Correct { .. }) => matches!(judged, Some(JudgedAs::Correct)),
                    Outcome::Verdict(Verdict::Incorrect { .. }) => {
                        matches!(judged, Some(JudgedAs::Incorrect { .. }))
                    }
                    _ => true,
                };
                assert!(agrees, "command {key:?} was answered {outcome:?}, the log holds {found:?}");
            }

            let teams = oracle(&hunt, &log).unwrap_or_else(|e| panic!("the oracle refuses the log: {e}"));
            let expected = oracle_board(&hunt, &teams);
            for (e, engine) in engines.iter().enumerate() {
                tokio::time::timeout(Duration::from_secs(60), engine.catch_up())
                    .await
                    .expect("catching up does not hang")
                    .unwrap_or_else(|error| panic!("engine {e} cannot catch up: {error}"));
                let board: Vec<(u32, TeamId, i64, u32)> = engine
                    .snapshot()
                    .standings()
                    .into_iter()
                    .map(|r| (r.place, r.team, r.score, r.solves))
                    .collect();
                assert_eq!(board, expected, "engine {e}'s board is the oracle's");
                assert_eq!(engine.snapshot().seq(), log.len() as u64);
            }
        });
    }
}

/// An engine that has not read another's registration yet still judges the new team's
/// submission (it reads the log once before refusing a team it does not know), and still
/// refuses a team nobody registered.
#[tokio::test]
async fn a_stale_engine_reads_the_log_before_refusing_an_unknown_team() {
    let source = r#"
        id = "stale"
        title = "Stale"
        start = 2026-11-28T09:00:00Z
        end = 2026-11-28T21:00:00Z

        [[challenge]]
        id = "c0"
        title = "Zero"
        points = 100
        answers = ["anchor"]
    "#;
    let now = hunt_core::Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
    let store = MemoryStore::new();
    let first = Engine::create(Arc::new(store.clone()), source, None)
        .await
        .unwrap();
    let hunt = first.hunt_id().clone();
    let stale = Engine::open(Arc::new(store.clone()), &hunt, None)
        .await
        .unwrap();
    let team = first.register("Sea Otters", None, now).await.unwrap();
    assert!(
        stale.snapshot().team(team).is_none(),
        "the second engine is behind"
    );

    let verdict = stale
        .submit(team, "c0", "anchor", IdempotencyKey(1), now)
        .await
        .expect("the stale engine catches up and judges the submission");
    assert_eq!(
        verdict,
        Verdict::Correct {
            points: 100,
            first_solve: true
        }
    );
    stale
        .adjust(team, 5, "bonus", IdempotencyKey(2), now)
        .await
        .expect("admin commands naming the team are decided too");

    let nobody = TeamId(7);
    let refused = stale
        .submit(nobody, "c0", "anchor", IdempotencyKey(3), now)
        .await;
    assert!(
        matches!(
            refused,
            Err(hunt_core::engine::EngineError::Command(CommandError::UnknownTeam(t))) if t == nobody
        ),
        "a team nobody registered is refused: {refused:?}"
    );
    assert_eq!(store.read(&hunt, 0, usize::MAX).await.unwrap().len(), 3);
}

//! The conformance case of writes whose outcome is unknown: two engines on two handles of
//! one backend, appends that land but are reported unknown and appends reported unknown
//! that never land, callers that retry with their command ids; nothing applied twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use tokio::task::JoinSet;

use super::StoreBuilder;
use super::check::{hunt, read_all};
use super::on_append::{AppendHook, OnAppend};
use crate::command::Command;
use crate::engine::{Engine, EngineError};
use crate::event::{Event, JudgedAs};
use crate::ids::{HuntId, IdempotencyKey, TeamId};
use crate::state::{HuntState, Outcome};
use crate::store::{Store, StoreError};
use crate::time::Timestamp;
use crate::verdict::Verdict;

/// The hunt the case plays: two challenges, so that teams race for first solves.
const HUNT: &str = r#"
id = "unknown"
title = "Unknown outcomes"
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
"#;

/// Teams registered, then tasks per engine submitting for them.
const TEAMS: u32 = 12;
const TASKS: u32 = 3;

/// How many tries a caller makes before the case fails it as stuck.
const MAX_TRIES: u32 = 200;

/// A handle whose appends are reported [`StoreError::OutcomeUnknown`] one time in three: half
/// of those after the append landed, half without calling the store at all.
struct Unreliable {
    appends: AtomicU64,
}

impl Unreliable {
    fn wrap(inner: Arc<dyn Store>) -> Arc<dyn Store> {
        Arc::new(OnAppend::new(
            inner,
            Self {
                appends: AtomicU64::new(0),
            },
        ))
    }
}

#[async_trait]
impl AppendHook for Unreliable {
    async fn append(
        &self,
        inner: &dyn Store,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let unknown = || StoreError::outcome_unknown("the conformance suite cut the connection");
        match self.appends.fetch_add(1, Ordering::Relaxed) % 6 {
            1 => inner
                .append(hunt, expected, events)
                .await
                .and(Err(unknown())),
            4 => Err(unknown()),
            _ => inner.append(hunt, expected, events).await,
        }
    }
}

/// What a caller was answered, and whether it had to retry for it.
type Answer = (Outcome, bool);

/// Runs `command` with `key` until it is answered, retrying (with the same key) on
/// transient failures as a client that timed out would.
async fn until_answered(engine: &Engine, command: Command, key: u128, now: Timestamp) -> Answer {
    for tries in 0..MAX_TRIES {
        match engine
            .execute_with_key(command.clone(), IdempotencyKey(key), now)
            .await
        {
            Ok(outcome) => return (outcome, tries > 0),
            Err(error) if error.is_transient() => {}
            Err(error @ EngineError::Command(_)) => {
                panic!("command {key} was refused: {error}")
            }
            Err(error) => panic!("command {key} failed for good: {error}"),
        }
    }
    panic!("command {key} was not answered after {MAX_TRIES} tries")
}

/// Engines on two handles whose appends are often reported unknown (some landed, some
/// not), with callers retrying by command id: every command is in the log exactly once,
/// every caller got the outcome its command was first decided with, and both engines end on
/// the board a fresh replay of the log gives.
pub async fn unknown_outcomes_are_settled_without_a_double_apply<B: StoreBuilder>(builder: &B) {
    let (store, guard) = builder.build().await;
    let other = builder.second_handle(&store, &guard).await;
    let now = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid instant");
    let first = Arc::new(
        Engine::create(Unreliable::wrap(store.clone()), HUNT, None)
            .await
            .unwrap_or_else(|e| panic!("creating the case's hunt failed: {e}")),
    );
    let id = hunt("unknown");
    let second = Arc::new(
        Engine::open(Unreliable::wrap(other.clone()), &id, None)
            .await
            .unwrap_or_else(|e| panic!("opening the case's hunt on the second handle failed: {e}")),
    );
    let engines = [first, second];

    let mut registered = JoinSet::new();
    for team in 0..TEAMS {
        let engine = engines[team as usize % 2].clone();
        registered.spawn(async move {
            let command = Command::Register {
                name: format!("team {team}"),
                division: None,
            };
            (
                u128::from(team),
                until_answered(&engine, command, u128::from(team), now).await,
            )
        });
    }
    let mut answers: HashMap<u128, Answer> = registered.join_all().await.into_iter().collect();
    let teams: Vec<TeamId> = answers
        .values()
        .map(|(outcome, _)| match outcome {
            Outcome::Registered(team) => *team,
            other => panic!("a registration was answered {other:?}"),
        })
        .collect();
    // Each engine knows the teams registered through the other once it has read them (a
    // service's follower does this continuously).
    for engine in &engines {
        while let Err(error) = engine.catch_up().await {
            assert!(error.is_transient(), "catching up failed for good: {error}");
        }
    }
    let mut distinct = teams.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        teams.len(),
        "two registrations got one team: {teams:?}"
    );

    let mut submitted = JoinSet::new();
    for (e, engine) in engines.iter().enumerate() {
        for task in 0..TASKS {
            let engine = engine.clone();
            let teams = teams.clone();
            submitted.spawn(async move {
                let mut answered = Vec::new();
                for (i, team) in teams.iter().enumerate() {
                    for (challenge, answer) in [
                        ("one", "answer one"),
                        ("two", "wrong"),
                        ("two", "answer two"),
                    ] {
                        let key = 1_000_000 * (e as u128 + 1)
                            + 1_000 * u128::from(task)
                            + answered.len() as u128;
                        let command = Command::Submit {
                            team: *team,
                            challenge: challenge.into(),
                            answer: format!("{answer}{}", if i % 2 == 0 { "" } else { " " }),
                            key: IdempotencyKey(key),
                        };
                        answered.push((key, until_answered(&engine, command, key, now).await));
                    }
                }
                answered
            });
        }
    }
    for answered in submitted.join_all().await {
        answers.extend(answered);
    }

    let log = read_all(&*store, &id).await;
    let mut in_log: HashMap<u128, Vec<&Event>> = HashMap::new();
    for recorded in &log {
        if let Some(key) = recorded.event.key() {
            in_log.entry(key.0).or_default().push(&recorded.event);
        }
    }
    for (key, (outcome, retried)) in &answers {
        let found = in_log.get(key).map_or(&[][..], Vec::as_slice);
        assert!(
            found.len() <= 1,
            "command {key} is in the log {} times: an unknown outcome was applied twice",
            found.len()
        );
        // What the answer says was recorded, the log must hold, as it was answered.
        let judged = match found.first() {
            Some(Event::SubmissionJudged { judged, .. }) => Some(judged),
            _ => None,
        };
        let agrees = match outcome {
            Outcome::Registered(team) => {
                matches!(found.first(), Some(Event::TeamRegistered { team: t, .. }) if t == team)
            }
            Outcome::Verdict(Verdict::Correct { .. }) => matches!(judged, Some(JudgedAs::Correct)),
            Outcome::Verdict(Verdict::Incorrect { .. }) => {
                matches!(judged, Some(JudgedAs::Incorrect { .. }))
            }
            // Only for a retry of a command that landed although its caller heard an error:
            // a caller answered at its first try gets the first decision, never this.
            Outcome::Verdict(Verdict::Duplicate { .. }) => *retried && found.len() == 1,
            _ => true,
        };
        assert!(
            agrees,
            "command {key} was answered {outcome:?} but the log holds {found:?}"
        );
    }
    let definition = crate::definition::load(HUNT).expect("the case's hunt is valid");
    let replayed = HuntState::replay(Arc::new(definition), None, &log)
        .unwrap_or_else(|e| panic!("the log the engines wrote does not replay: {e}"));
    for (e, engine) in engines.iter().enumerate() {
        engine
            .catch_up()
            .await
            .unwrap_or_else(|error| panic!("engine {e} could not catch up: {error}"));
        let state = engine.snapshot();
        assert_eq!(
            state.seq(),
            log.len() as u64,
            "engine {e} is at the end of the log"
        );
        assert_eq!(
            state.standings(),
            replayed.standings(),
            "engine {e}'s board is the replay's"
        );
    }
    for team in &teams {
        let solves = replayed.team(*team).expect("registered").solves().len();
        assert_eq!(solves, 2, "{team} solved both challenges once each");
    }
    drop(guard);
}

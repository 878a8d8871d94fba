//! Benches of the scoring rules on the hot path:
//!
//! - `retroactive_solve/10000`: 10k teams, 100 challenges, every challenge on retroactive CTFd
//!   linear decay steep enough that every solve changes the value; a correct submission to a
//!   challenge with 1,000 earlier solvers (decided and applied), which reprices and re-ranks
//!   every one of them. Target: ≤ 250 µs.
//! - `retroactive_top_100/10000`: the first 100 rows of that board. Target: ≤ 10 µs.
//! - `first_blood_solve/100000`: 100k teams, static points with first-blood bonuses
//!   `[5, 3, 1]` on every challenge; a fresh correct submission. The core issue's target
//!   (2 µs) still holds: appending a solver prices the new solve only.
//!
//! Run with `cargo bench -p benches --bench rules`. In test mode the sizes are smaller.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::{Fixture, XorShift, at, quick, registration, solve, test_mode};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hunt_core::scoring::{Scoring, ValueMode, ValueRule};
use hunt_core::state::{HuntState, Outcome};
use hunt_core::{Command, Hunt, IdempotencyKey, TeamId, Verdict};

/// Solves of the hot challenge before the measured submissions.
const EARLIER_SOLVERS: u32 = 1_000;

/// Submissions measured on one copy of the state before it starts over, so the hot
/// challenge keeps between 1,000 and 1,100 solvers.
const BATCH: u32 = 100;

/// The bench hunt with every challenge's scoring replaced.
fn hunt_with(scoring: &Scoring) -> Arc<Hunt> {
    let mut hunt = (*benches::hunt()).clone();
    for challenge in &mut hunt.challenges {
        challenge.scoring = scoring.clone();
    }
    Arc::new(hunt)
}

/// `teams` teams with a few random prior solves each, and `c0` solved by the first
/// `EARLIER_SOLVERS` of them.
fn retroactive_state(teams: u32) -> HuntState {
    let hunt = hunt_with(&Scoring {
        rule: ValueRule::CtfdLinear {
            initial: 100_000,
            minimum: 100,
            decay: 5,
        },
        mode: ValueMode::Retroactive,
        first_blood: Vec::new(),
    });
    let mut rng = XorShift::new(u64::from(teams));
    let mut log: Vec<_> = (0..teams).map(|t| registration(&hunt, t)).collect();
    let mut key = 0u128;
    for team in 0..teams {
        let mut solved = 0u128;
        if team < EARLIER_SOLVERS.min(teams) {
            solved |= 1;
            key += 1;
            log.push(solve(team, 0, key, at(&hunt, i64::from(team) * 1_000)));
        }
        for _ in 0..1 + rng.below(5) {
            let challenge = 1 + rng.below(94) as u32;
            if solved & (1 << challenge) == 0 {
                solved |= 1 << challenge;
                key += 1;
                let when = at(&hunt, rng.below(86_400_000) as i64);
                log.push(solve(team, challenge, key, when));
            }
        }
    }
    let mut state = HuntState::new(hunt, None).expect("no sealed answers");
    let mut bulk = state.bulk();
    for (seq, event) in log.into_iter().enumerate() {
        bulk.apply(&hunt_core::Recorded {
            seq: seq as u64 + 1,
            event,
        })
        .expect("the fixture log fits");
    }
    drop(bulk);
    state
}

fn submit(state: &mut HuntState, team: u32, key: u128, now: hunt_core::Timestamp) {
    let command = Command::Submit {
        team: TeamId(team),
        challenge: "c0".to_owned(),
        answer: "ans0".to_owned(),
        key: IdempotencyKey(key),
    };
    let decision = state.decide(&command, now).expect("a valid submission");
    assert!(matches!(
        decision.outcome,
        Outcome::Verdict(Verdict::Correct { .. })
    ));
    state
        .apply_all(&decision.events)
        .expect("decided events apply");
    black_box(decision);
}

fn retroactive(c: &mut Criterion) {
    let teams = if test_mode() { 2_000 } else { 10_000 };
    let base = retroactive_state(teams);
    let hot = base.hunt().challenge_by_slug("c0").expect("c0").id;
    assert_eq!(base.solve_count(hot), EARLIER_SOLVERS);
    let now = at(base.hunt(), 2 * 86_400_000);
    // New solvers are the teams after the earlier ones.
    let fresh = |i: u32| EARLIER_SOLVERS + i % (teams - EARLIER_SOLVERS).min(BATCH);

    let mut group = c.benchmark_group("retroactive_solve");
    quick(&mut group);
    group.bench_function(BenchmarkId::from_parameter(teams), |b| {
        let mut key = 1u128 << 64;
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut done = 0u64;
            while done < iters {
                let mut state = base.clone();
                let n = (iters - done).min(u64::from(BATCH)) as u32;
                let start = Instant::now();
                for i in 0..n {
                    key += 1;
                    submit(&mut state, fresh(i), key, now);
                }
                elapsed += start.elapsed();
                done += u64::from(n);
            }
            elapsed
        });
    });
    group.finish();

    let mut after = base.clone();
    for i in 0..BATCH {
        submit(&mut after, fresh(i), u128::from(i) + (1 << 70), now);
    }
    let mut group = c.benchmark_group("retroactive_top_100");
    quick(&mut group);
    group.bench_function(BenchmarkId::from_parameter(teams), |b| {
        b.iter(|| {
            let rows = after.top(100);
            assert_eq!(rows.len(), 100);
            rows
        });
    });
    group.finish();
}

fn first_blood(c: &mut Criterion) {
    let teams = if test_mode() { 1_000 } else { 100_000 };
    let scoring = Scoring {
        first_blood: vec![5, 3, 1],
        ..Scoring::default()
    };
    // The shared fixture's log, replayed on the same hunt with first bloods everywhere (and
    // each challenge keeping its static points).
    let fixture = Fixture::shared(teams);
    let mut hunt = (*fixture.hunt).clone();
    for challenge in &mut hunt.challenges {
        challenge.scoring = Scoring {
            rule: challenge.scoring.rule,
            ..scoring.clone()
        };
    }
    let hunt = Arc::new(hunt);
    let log: Vec<_> = fixture
        .log
        .iter()
        .enumerate()
        .map(|(i, event)| hunt_core::Recorded {
            seq: i as u64 + 1,
            event: event.clone(),
        })
        .collect();
    let base = HuntState::replay(hunt, None, &log).expect("the fixture log fits");
    let now = fixture.now();

    let mut group = c.benchmark_group("first_blood_solve");
    quick(&mut group);
    group.bench_function(BenchmarkId::from_parameter(teams), |b| {
        let mut restarts = 0;
        let mut state = base.clone();
        let mut fresh = fixture.fresh_solves(restarts);
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let command = match fresh.next_command() {
                    Some(command) => command,
                    None => {
                        restarts += 1;
                        state = base.clone();
                        fresh = fixture.fresh_solves(restarts);
                        fresh.next_command().expect("a fresh solve")
                    }
                };
                let start = Instant::now();
                let decision = state.decide(&command, now).expect("a valid submission");
                state
                    .apply_all(&decision.events)
                    .expect("decided events apply");
                elapsed += start.elapsed();
                black_box(decision);
            }
            elapsed
        });
    });
    group.finish();
}

criterion_group!(benches, retroactive, first_blood);
criterion_main!(benches);

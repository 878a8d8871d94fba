//! Benches of the pure core (`HuntState`), each at 1k, 10k and 100k teams on a hunt of 100
//! static-points challenges where every team has a few prior solves:
//!
//! - `submit_correct`: deciding one fresh correct submission and applying its events;
//! - `submit_parts`: the same decision alone, and the rank-index move a solve makes;
//! - `top_100`: the first 100 rows of the standings;
//! - `rank_of_team`: a random team's place (`place_of`) and its whole row (`team_row`);
//! - `replay_1m`: replaying a judged log of 1,000,000 events from scratch (20,000 in test mode,
//!   or `HUNT_BENCH_REPLAY_EVENTS`).
//!
//! Run with `cargo bench -p benches --bench core`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use benches::{Fixture, FreshSolves, SIZES, judged_log, quick, test_mode};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use hunt_core::standings::SortKey;
use hunt_core::state::{HuntState, Outcome};
use hunt_core::{Command, Verdict};

/// Commands prepared (outside the timed section) per batch of fresh submissions.
const BATCH: usize = 10_000;

/// Random team ids cycled through by the lookup benches.
const PROBES: usize = 4096;

/// Events in the replayed log unless `HUNT_BENCH_REPLAY_EVENTS` says otherwise.
const REPLAY_EVENTS: usize = 1_000_000;

/// Events in the replayed log in test mode, where it runs once and unoptimized.
const REPLAY_EVENTS_IN_TESTS: usize = 20_000;

/// A state to submit to, and fresh solves that fit it; starts over from the fixture when the
/// fresh solves run dry.
struct SubmitRig {
    fixture: &'static Fixture,
    state: HuntState,
    fresh: FreshSolves,
    restarts: u64,
}

impl SubmitRig {
    fn new(fixture: &'static Fixture) -> Self {
        Self {
            fixture,
            state: fixture.state.clone(),
            fresh: fixture.fresh_solves(0),
            restarts: 0,
        }
    }

    /// Up to `n` fresh submissions that all fit the current state.
    fn batch(&mut self, n: usize) -> Vec<Command> {
        if self.fresh.remaining() == 0 {
            self.restarts += 1;
            self.state = self.fixture.state.clone();
            self.fresh = self.fixture.fresh_solves(self.restarts);
        }
        let n = n.min(self.fresh.remaining());
        (0..n).filter_map(|_| self.fresh.next_command()).collect()
    }
}

fn submit_correct(c: &mut Criterion) {
    let mut group = c.benchmark_group("submit_correct");
    quick(&mut group);
    for teams in SIZES {
        let mut rig = None;
        group.bench_function(BenchmarkId::from_parameter(teams), |b| {
            let rig = rig.get_or_insert_with(|| SubmitRig::new(Fixture::shared(teams)));
            let now = rig.fixture.now();
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                let mut left = iters as usize;
                while left > 0 {
                    let commands = rig.batch(left.min(BATCH));
                    left -= commands.len();
                    let state = &mut rig.state;
                    let start = Instant::now();
                    for command in &commands {
                        let decision = state.decide(command, now).expect("a valid submission");
                        state
                            .apply_all(&decision.events)
                            .expect("decided events apply");
                        assert!(matches!(
                            decision.outcome,
                            Outcome::Verdict(Verdict::Correct { .. })
                        ));
                        black_box(decision);
                    }
                    elapsed += start.elapsed();
                }
                elapsed
            });
        });
    }
    group.finish();
}

/// Where `submit_correct`'s time goes: deciding alone (the state is not changed, so every
/// fresh submission stays unsolved), and moving one team in a copy of the rank index, as
/// applying a solve does.
fn submit_parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("submit_parts");
    quick(&mut group);
    for teams in SIZES {
        let mut source = None;
        group.bench_function(BenchmarkId::new("decide", teams), |b| {
            let fixture = Fixture::shared(teams);
            let (fresh, restarts) = source.get_or_insert_with(|| (fixture.fresh_solves(0), 0));
            let now = fixture.now();
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                let mut left = iters as usize;
                while left > 0 {
                    if fresh.remaining() == 0 {
                        *restarts += 1;
                        *fresh = fixture.fresh_solves(*restarts);
                    }
                    let n = left.min(BATCH).min(fresh.remaining());
                    let commands: Vec<Command> =
                        (0..n).filter_map(|_| fresh.next_command()).collect();
                    left -= commands.len();
                    let start = Instant::now();
                    for command in &commands {
                        black_box(
                            fixture
                                .state
                                .decide(command, now)
                                .expect("a valid submission"),
                        );
                    }
                    elapsed += start.elapsed();
                }
                elapsed
            });
        });
        let mut index = None;
        group.bench_function(BenchmarkId::new("rank_upsert", teams), |b| {
            let fixture = Fixture::shared(teams);
            let index = index.get_or_insert_with(|| fixture.state.rank_index().clone());
            let probes = fixture.random_teams(PROBES, 11);
            let mut i = 0;
            let mut tick = 0;
            b.iter(|| {
                i = (i + 1) % PROBES;
                tick += 1;
                let team = probes[i];
                let SortKey([score, _, _]) = index.key_of(team).expect("a listed team");
                // A solve: a better score, reached now.
                index.upsert(team, SortKey([score - 100, 200_000_000_000 + tick, 0]));
            });
        });
    }
    group.finish();
}

fn top_100(c: &mut Criterion) {
    let mut group = c.benchmark_group("top_100");
    quick(&mut group);
    for teams in SIZES {
        group.bench_function(BenchmarkId::from_parameter(teams), |b| {
            let state = &Fixture::shared(teams).state;
            b.iter(|| {
                let rows = state.top(100);
                assert_eq!(rows.len(), 100);
                rows
            });
        });
    }
    group.finish();
}

fn rank_of_team(c: &mut Criterion) {
    let mut group = c.benchmark_group("rank_of_team");
    quick(&mut group);
    for teams in SIZES {
        group.bench_function(BenchmarkId::new("place_of", teams), |b| {
            let fixture = Fixture::shared(teams);
            let probes = fixture.random_teams(PROBES, 7);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % PROBES;
                fixture
                    .state
                    .rank_index()
                    .place_of(black_box(probes[i]))
                    .expect("a listed team")
            });
        });
        group.bench_function(BenchmarkId::new("team_row", teams), |b| {
            let fixture = Fixture::shared(teams);
            let probes = fixture.random_teams(PROBES, 7);
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % PROBES;
                fixture
                    .state
                    .team_row(black_box(probes[i]))
                    .expect("a known team")
            });
        });
    }
    group.finish();
}

fn replay_events() -> usize {
    if test_mode() {
        return REPLAY_EVENTS_IN_TESTS;
    }
    match std::env::var("HUNT_BENCH_REPLAY_EVENTS") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("HUNT_BENCH_REPLAY_EVENTS is a number of events"),
        Err(_) => REPLAY_EVENTS,
    }
}

fn replay_1m(c: &mut Criterion) {
    let events = replay_events();
    let hunt = benches::hunt();
    let mut group = c.benchmark_group("replay_1m");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(events as u64));
    let mut previous = 0;
    for size in SIZES {
        // Shorter logs (test mode) register proportionally fewer teams.
        let teams = ((size as usize * events / REPLAY_EVENTS).max(1)).min(events) as u32;
        if teams == previous {
            continue;
        }
        previous = teams;
        let mut log = None;
        group.bench_function(BenchmarkId::from_parameter(teams), |b| {
            let log = log.get_or_insert_with(|| {
                let (log, mix) = judged_log(teams, events, u64::from(teams));
                eprintln!("replay log of {teams} teams: {mix:?}");
                log
            });
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let state =
                        HuntState::replay(hunt.clone(), None, log.iter()).expect("the log replays");
                    elapsed += start.elapsed();
                    // Dropping a large state is not part of replaying it.
                    assert_eq!(state.seq(), events as u64);
                    drop(state);
                }
                elapsed
            });
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    submit_correct,
    submit_parts,
    top_100,
    rank_of_team,
    replay_1m
);
criterion_main!(benches);

//! Benches of the async `Engine` handle over a `MemoryStore`, with one caller on a
//! current-thread tokio runtime: the cost of one correct submission including the handle's
//! queue, writer lock, store append and snapshot publishing, to compare with the pure
//! `submit_correct` of the `core` bench. At 1k, 10k and 100k teams.
//!
//! Run with `cargo bench -p benches --bench engine`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::{Fixture, FreshSolves, SIZES, answer, quick, slug};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hunt_core::engine::Engine;
use hunt_core::store::{MemoryStore, Store};
use hunt_core::{IdempotencyKey, TeamId, Verdict};
use tokio::runtime::Runtime;

/// Submissions prepared (outside the timed section) per batch.
const BATCH: usize = 10_000;

/// An engine opened on a store holding the fixture's log, and fresh solves that fit it;
/// reopened from the fixture when the fresh solves run dry.
struct EngineRig {
    fixture: &'static Fixture,
    runtime: Runtime,
    engine: Engine,
    fresh: FreshSolves,
    restarts: u64,
}

impl EngineRig {
    fn new(fixture: &'static Fixture) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime");
        let engine = runtime.block_on(open(fixture));
        Self {
            fixture,
            runtime,
            engine,
            fresh: fixture.fresh_solves(0),
            restarts: 0,
        }
    }

    /// Up to `n` fresh submissions (team, slug, answer, key) that fit the engine's state.
    fn batch(&mut self, n: usize) -> Vec<(TeamId, String, String, IdempotencyKey)> {
        if self.fresh.remaining() == 0 {
            self.restarts += 1;
            self.engine = self.runtime.block_on(open(self.fixture));
            self.fresh = self.fixture.fresh_solves(self.restarts);
        }
        let n = n.min(self.fresh.remaining());
        (0..n)
            .filter_map(|_| self.fresh.next_pair())
            .map(|(team, challenge, key)| (team, slug(challenge), answer(challenge), key))
            .collect()
    }
}

/// A fresh store holding the fixture's definition and log, and an engine opened on it.
async fn open(fixture: &Fixture) -> Engine {
    let store = Arc::new(MemoryStore::new());
    let id = fixture.hunt.id.clone();
    store
        .save_definition(&id, &fixture.source, None)
        .await
        .expect("saving to memory");
    store
        .append(&id, 0, &fixture.log)
        .await
        .expect("appending to an empty log");
    Engine::open(store, &id, None)
        .await
        .expect("the fixture's hunt opens")
}

fn engine_submit(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_submit");
    quick(&mut group);
    for teams in SIZES {
        let mut rig = None;
        group.bench_function(BenchmarkId::from_parameter(teams), |b| {
            let rig = rig.get_or_insert_with(|| EngineRig::new(Fixture::shared(teams)));
            let now = rig.fixture.now();
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                let mut left = iters as usize;
                while left > 0 {
                    let submissions = rig.batch(left.min(BATCH));
                    left -= submissions.len();
                    let engine = &rig.engine;
                    elapsed += rig.runtime.block_on(async {
                        let start = Instant::now();
                        for (team, challenge, answer, key) in &submissions {
                            let verdict = engine
                                .submit(*team, challenge, answer, *key, now)
                                .await
                                .expect("the memory store accepts");
                            assert!(matches!(verdict, Verdict::Correct { .. }));
                        }
                        start.elapsed()
                    });
                }
                elapsed
            });
        });
    }
    group.finish();
}

criterion_group!(benches, engine_submit);
criterion_main!(benches);

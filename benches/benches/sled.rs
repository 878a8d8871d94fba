//! Benches of the `Engine` on a `SledStore`, every submission flushed and synced before it
//! is acknowledged:
//! - `sled_submit/N`: acknowledged submissions per second with N = 1, 8 and 64 concurrent
//!   submitters (criterion's `thrpt`); with N = 1 its time per element is the latency of one
//!   acknowledged submission without contention. Each submission is a wrong answer to a
//!   challenge without an attempt limit, so each one is judged and written (one event).
//! - `sled_reopen/replay` and `sled_reopen/checkpoint`: `SledStore::open` plus `Engine::open`
//!   of a hunt of 10,000 teams and 1,000,000 events (`benches::judged_log`), without a
//!   checkpoint and with one at the end of the log.
//! - `sled_checkpoint/encode`: encoding that state's checkpoint.
//!
//! Printed alongside (criterion does not measure memory): the directory's bytes per event,
//! the checkpoint's size and the time to write it, and the resident set after each kind of
//! reopen, measured in a fresh process (this bench run again) so that building the log does
//! not blur it.
//!
//! Measured on the shared 2-core development machine (medians; noisy): 3.5k submissions/s
//! with 1 submitter (285 µs each), 11.7k/s with 8, 65k/s with 64; reopening 1M events 3.39 s
//! by replay and 0.35 s from a checkpoint (RSS +519 MiB and +245 MiB, in a fresh process);
//! checkpoint encoding 197 ms, 20.1 MiB (21 bytes per event); the log 386 bytes per event
//! on disk.
//!
//! Run with `cargo bench -p benches --bench sled` (several minutes: building the log takes
//! about a minute and a replay several seconds). In test mode (`cargo test --benches`) the
//! hunt has 100 teams and 2,000 events.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use benches::{directory_size, judged_log, rss, test_mode};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{HuntId, IdempotencyKey, TeamId, Timestamp, Verdict};
use hunt_store_sled::SledStore;
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// Teams submitting in the throughput benches.
const TEAMS: u32 = 1_000;

/// A hunt whose challenges take any number of guesses.
const DEFINITION: &str = r#"
id = "throughput"
title = "Throughput"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z

[[challenge]]
id = "one"
title = "One"
points = 100
answers = ["right one"]

[[challenge]]
id = "two"
title = "Two"
points = 200
answers = ["right two"]
"#;

/// The environment variable that makes this binary a reopen probe of the directory it names
/// instead of a bench run.
const PROBE: &str = "HUNT_BENCH_REOPEN_PROBE";

/// A runtime like a service's on this machine: two workers.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A time inside the throughput hunt.
fn during() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid instant")
}

/// An engine on a fresh store in `dir`, with [`TEAMS`] teams.
async fn setup(dir: &Path) -> Arc<Engine> {
    let store = Arc::new(SledStore::open(dir).expect("a fresh directory opens"));
    let engine = Arc::new(
        Engine::create(store, DEFINITION, None)
            .await
            .expect("a valid hunt"),
    );
    let mut registering = tokio::task::JoinSet::new();
    for i in 0..TEAMS {
        let engine = engine.clone();
        registering
            .spawn(async move { engine.register(&format!("team {i}"), None, during()).await });
    }
    while let Some(done) = registering.join_next().await {
        done.expect("no panic").expect("registers");
    }
    engine
}

/// Keys never used before in this process.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// One wrong submission: judged and written.
async fn submit(engine: &Engine) {
    let n = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    let team = TeamId((n.wrapping_mul(7_919) % u64::from(TEAMS)) as u32);
    let challenge = if n.is_multiple_of(2) { "one" } else { "two" };
    let verdict = engine
        .submit(
            team,
            challenge,
            &format!("guess {n}"),
            IdempotencyKey(u128::from(n)),
            during(),
        )
        .await
        .expect("submits");
    assert!(matches!(verdict, Verdict::Incorrect { .. }), "{verdict:?}");
}

/// Makes `total` submissions from `submitters` tasks; returns the time they took.
async fn submit_concurrently(engine: &Arc<Engine>, submitters: u64, total: u64) -> Duration {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..submitters {
        let engine = engine.clone();
        let share = total / submitters + u64::from(task < total % submitters);
        tasks.spawn(async move {
            for _ in 0..share {
                submit(&engine).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("no panic");
    }
    started.elapsed()
}

fn sled_submit(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("sled_submit");
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(20);
    for submitters in [1_u64, 8, 64] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let engine = runtime.block_on(setup(dir.path()));
        group.bench_function(BenchmarkId::from_parameter(submitters), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(submit_concurrently(&engine, submitters, iters))
            });
        });
        let events = engine.snapshot().seq();
        drop(engine);
        println!(
            "sled_submit/{submitters}: {events} events, directory {:.0} bytes per event",
            directory_size(dir.path()) as f64 / events as f64
        );
    }
    group.finish();
}

/// The reopen benches' hunt: its size, and directories without and with a checkpoint.
struct Reopen {
    hunt: HuntId,
    events: u64,
    /// The log only.
    plain: TempDir,
    /// The same log and a checkpoint at its end.
    checkpointed: TempDir,
}

/// Builds the reopen directories once per run.
fn reopen_fixture() -> &'static Reopen {
    static FIXTURE: OnceLock<Reopen> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (teams, events) = if test_mode() {
            (100, 2_000)
        } else {
            (10_000, 1_000_000)
        };
        let runtime = runtime();
        let started = Instant::now();
        let (log, _) = judged_log(teams, events, 7);
        println!(
            "reopen: a log of {teams} teams and {events} events decided in {:.1?}",
            started.elapsed()
        );
        let plain = tempfile::tempdir().expect("a temporary directory");
        let hunt = benches::hunt().id.clone();
        let started = Instant::now();
        runtime.block_on(async {
            let store = SledStore::open(plain.path()).expect("a fresh directory opens");
            store
                .save_definition(&hunt, &benches::hunt_source(), None)
                .await
                .expect("saves");
            let mut end = 0;
            for chunk in log.chunks(10_000) {
                let events: Vec<_> = chunk.iter().map(|r| r.event.clone()).collect();
                end = store.append(&hunt, end, &events).await.expect("appends");
            }
        });
        drop(log);
        let plain_size = directory_size(plain.path());
        println!(
            "reopen: appended in batches of 10,000 in {:.1?}; directory {:.1} MiB, {:.0} bytes \
             per event",
            started.elapsed(),
            plain_size as f64 / (1 << 20) as f64,
            plain_size as f64 / events as f64
        );
        let checkpointed = tempfile::tempdir().expect("a temporary directory");
        copy_dir(plain.path(), checkpointed.path());
        runtime.block_on(async {
            let store = Arc::new(SledStore::open(checkpointed.path()).expect("opens"));
            let engine = Engine::open(store, &hunt, None).await.expect("replays");
            let started = Instant::now();
            let seq = engine.checkpoint().await.expect("checkpoints");
            let took = started.elapsed();
            let state = engine.snapshot();
            let size = state.encode_snapshot().len();
            println!(
                "reopen: checkpoint at {seq} written (encoded, saved, flushed) in {took:.2?}; \
                 {:.1} MiB, {:.1} bytes per event",
                size as f64 / (1 << 20) as f64,
                size as f64 / seq as f64
            );
        });
        for (what, dir) in [("replay", &plain), ("checkpoint", &checkpointed)] {
            probe_in_child(what, dir.path());
        }
        Reopen {
            hunt,
            events: events as u64,
            plain,
            checkpointed,
        }
    })
}

/// Copies the directory `from` into the empty directory `to`.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("reads the directory") {
        let entry = entry.expect("reads an entry");
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            std::fs::create_dir_all(&target).expect("creates a directory");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies a file");
        }
    }
}

/// Opens the store in `dir` and its one hunt; returns the engine and the time it took.
async fn reopen(dir: &Path, hunt: &HuntId) -> (Engine, Duration) {
    let started = Instant::now();
    let store = Arc::new(SledStore::open(dir).expect("the store reopens"));
    let engine = Engine::open(store, hunt, None)
        .await
        .expect("the hunt opens");
    (engine, started.elapsed())
}

/// Runs this binary again as a probe of `dir` and prints what it says.
fn probe_in_child(what: &str, dir: &Path) {
    let output = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .env(PROBE, dir)
        .output()
        .expect("the probe starts");
    assert!(
        output.status.success(),
        "the probe failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    print!(
        "reopen ({what}): {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The probe: reopens the one hunt in `dir` and prints the time and the resident set.
fn probe(dir: &Path) {
    let runtime = runtime();
    let before = rss();
    runtime.block_on(async {
        let (engine, took) = reopen(dir, &benches::hunt().id).await;
        let after = rss();
        let opened = engine.opened();
        let mib = |bytes: u64| bytes as f64 / (1 << 20) as f64;
        println!(
            "{} events in {took:.2?} (checkpoint {:?}, {} events replayed); RSS {:.1} MiB \
             before, {:.1} MiB after (+{:.1} MiB)",
            engine.snapshot().seq(),
            opened.checkpoint,
            opened.replayed,
            mib(before),
            mib(after),
            mib(after.saturating_sub(before))
        );
    });
}

fn sled_reopen(c: &mut Criterion) {
    let fixture = reopen_fixture();
    let runtime = runtime();
    let mut group = c.benchmark_group("sled_reopen");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    for (name, dir, from_checkpoint) in [
        ("replay", &fixture.plain, false),
        ("checkpoint", &fixture.checkpointed, true),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (engine, took) = runtime.block_on(reopen(dir.path(), &fixture.hunt));
                    assert_eq!(engine.snapshot().seq(), fixture.events);
                    assert_eq!(engine.opened().checkpoint.is_some(), from_checkpoint);
                    total += took;
                }
                total
            });
        });
    }
    group.finish();
}

fn sled_checkpoint(c: &mut Criterion) {
    let fixture = reopen_fixture();
    let runtime = runtime();
    let (engine, _) = runtime.block_on(reopen(fixture.checkpointed.path(), &fixture.hunt));
    let state = engine.snapshot();
    let mut group = c.benchmark_group("sled_checkpoint");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("encode", |b| b.iter(|| state.encode_snapshot()));
    group.finish();
}

criterion_group!(sled, sled_submit, sled_reopen, sled_checkpoint);

fn main() {
    if let Some(dir) = std::env::var_os(PROBE) {
        probe(Path::new(&dir));
        return;
    }
    sled();
    Criterion::default().configure_from_args().final_summary();
}

//! Measures the Engine on a SledStore: acknowledged submissions per second with 1, 8 and 64
//! concurrent submitters, the latency of one submission without contention, and the disk
//! space each event takes.
//!
//! ```text
//! cargo run --release -p hunt-store-sled --example throughput [-- SECONDS [EVENTS]]
//! cargo run --release -p hunt-store-sled --example throughput -- reopen [EVENTS]
//! ```
//!
//! Every submission is a wrong answer to a challenge without an attempt limit, so each one is
//! judged and written (one event) and none is refused unwritten: the figures are for durable
//! writes. Each measurement runs in a fresh temporary directory.
//!
//! `reopen` measures a restart instead: it builds a log of EVENTS events (1,000,000 unless
//! told; 10,000 registrations, then a mix of right and wrong answers to 100 challenges),
//! deciding them on a pure `HuntState` and appending them to the store in batches of 10,000,
//! which is far faster than the engine's one-by-one acknowledgements. Then a fresh process
//! (this example run again, so that the builder's memory does not blur the figures) times
//! `SledStore::open` and `Engine::open` (which replays the log) separately and reports the
//! resident set (`VmRSS`) before and after, and the directory's bytes per event.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hunt_core::engine::Engine;
use hunt_core::state::HuntState;
use hunt_core::store::{Store, StoreError};
use hunt_core::{Command, Event, HuntId, IdempotencyKey, Recorded, TeamId, Timestamp};
use hunt_store_sled::SledStore;

/// Teams submitting; the submitters share them.
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

/// A store that counts the appends reaching it, to show how many submissions share a flush.
struct Counting {
    inner: SledStore,
    appends: AtomicU64,
}

#[async_trait]
impl Store for Counting {
    async fn append(
        &self,
        hunt: &HuntId,
        expected: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        self.appends.fetch_add(1, Ordering::Relaxed);
        self.inner.append(hunt, expected, events).await
    }

    async fn read(
        &self,
        hunt: &HuntId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        self.inner.read(hunt, after, limit).await
    }

    async fn save_definition(&self, hunt: &HuntId, source: &str) -> Result<(), StoreError> {
        self.inner.save_definition(hunt, source).await
    }

    async fn load_definition(&self, hunt: &HuntId) -> Result<Option<String>, StoreError> {
        self.inner.load_definition(hunt).await
    }

    async fn hunts(&self) -> Result<Vec<HuntId>, StoreError> {
        self.inner.hunts().await
    }
}

/// A time inside the hunt.
fn during() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid instant")
}

/// An engine on a fresh store in `dir`, with [`TEAMS`] teams.
async fn setup(dir: &Path) -> (Arc<Engine>, Arc<Counting>) {
    let store = Arc::new(Counting {
        inner: SledStore::open(dir).expect("a fresh directory opens"),
        appends: AtomicU64::new(0),
    });
    let engine = Arc::new(
        Engine::create(store.clone(), DEFINITION, None)
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
    (engine, store)
}

/// Submission `n` of submitter `task`: a wrong answer, so it is judged and written.
async fn submit(engine: &Engine, task: u64, n: u64) {
    let team = TeamId(((task * 7_919 + n) % u64::from(TEAMS)) as u32);
    let challenge = if n.is_multiple_of(2) { "one" } else { "two" };
    let key = IdempotencyKey(u128::from(task) << 64 | u128::from(n));
    let verdict = engine
        .submit(team, challenge, &format!("guess {n}"), key, during())
        .await
        .expect("submits");
    assert!(
        matches!(verdict, hunt_core::Verdict::Incorrect { .. }),
        "{verdict:?}"
    );
}

/// Submits from `submitters` tasks for `duration`; returns submissions per second and
/// submissions per append.
async fn throughput(submitters: u64, duration: Duration) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (engine, store) = setup(dir.path()).await;
    let before = store.appends.load(Ordering::Relaxed);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..submitters {
        let engine = engine.clone();
        let done = done.clone();
        tasks.spawn(async move {
            let mut n = 0;
            while Instant::now() < deadline {
                submit(&engine, task, n).await;
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while let Some(finished) = tasks.join_next().await {
        finished.expect("no panic");
    }
    let elapsed = started.elapsed();
    let submissions = done.load(Ordering::Relaxed);
    let appends = store.appends.load(Ordering::Relaxed) - before;
    (
        submissions as f64 / elapsed.as_secs_f64(),
        submissions as f64 / appends.max(1) as f64,
    )
}

/// Latency of single submissions, one at a time: (median, 99th percentile, mean).
async fn latency(samples: u64) -> (Duration, Duration, Duration) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (engine, _) = setup(dir.path()).await;
    let mut times = Vec::with_capacity(samples as usize);
    for n in 0..samples {
        let started = Instant::now();
        submit(&engine, 0, n).await;
        times.push(started.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / samples as u32;
    (times[times.len() / 2], times[times.len() * 99 / 100], mean)
}

/// Disk use after `events` submissions from 64 submitters, measured once the store is
/// closed: (bytes per event in the directory, sled's own count per event).
async fn disk(events: u64) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (engine, store) = setup(dir.path()).await;
    let per_task = events / 64;
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..64 {
        let engine = engine.clone();
        tasks.spawn(async move {
            for n in 0..per_task {
                submit(&engine, task, n).await;
            }
        });
    }
    while let Some(finished) = tasks.join_next().await {
        finished.expect("no panic");
    }
    let written = engine.snapshot().seq();
    let sled_size = store.inner.size_on_disk().expect("sled knows its size");
    drop((engine, store));
    let files = directory_size(dir.path());
    (
        files as f64 / written as f64,
        sled_size as f64 / written as f64,
    )
}

/// The total size of the files under `path`.
fn directory_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .expect("the directory reads")
        .flatten()
        .map(|entry| {
            let meta = entry.metadata().expect("metadata reads");
            if meta.is_dir() {
                directory_size(&entry.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// Teams in the reopen measurement's hunt.
const REOPEN_TEAMS: u32 = 10_000;

/// Challenges in the reopen measurement's hunt.
const REOPEN_CHALLENGES: u32 = 100;

/// Events appended to the store at once while building the reopen log.
const BATCH: usize = 10_000;

/// A hunt of [`REOPEN_CHALLENGES`] challenges of static points, without attempt limits.
fn reopen_definition() -> String {
    let mut source = String::from(
        "id = \"reopen\"\ntitle = \"Reopen\"\n\
         start = 2026-11-28T09:00:00Z\nend = 2026-11-28T21:00:00Z\n",
    );
    for c in 0..REOPEN_CHALLENGES {
        write!(
            source,
            "\n[[challenge]]\nid = \"c{c}\"\ntitle = \"C{c}\"\npoints = {}\n\
             answers = [\"right {c}\"]\n",
            100 + c
        )
        .expect("writing to a String succeeds");
    }
    source
}

/// Resident set size of this process, in bytes (Linux).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status is readable (Linux)");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("/proc/self/status has VmRSS");
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmRSS is a number of kB");
    kib * 1024
}

/// Builds a log of `events` events in `dir`: decided on a pure state, appended in batches.
async fn build_log(dir: &Path, events: u64) {
    let source = reopen_definition();
    let hunt = Arc::new(hunt_core::definition::load(&source).expect("a valid hunt"));
    let id = hunt.id.clone();
    let store = SledStore::open(dir).expect("a fresh directory opens");
    store
        .save_definition(&id, &source)
        .await
        .expect("the definition saves");
    let mut state = HuntState::new(hunt, None).expect("no sealed answers");
    let mut batch: Vec<Event> = Vec::with_capacity(BATCH);
    let mut end = 0;
    let mut next_report = 100_000;
    let started = Instant::now();
    let mut n: u64 = 0;
    while state.seq() < events {
        let command = if n < u64::from(REOPEN_TEAMS) {
            Command::Register {
                name: format!("team {n}"),
                division: None,
            }
        } else {
            // Every team tries every challenge in turn; one try in four is right.
            let s = n - u64::from(REOPEN_TEAMS);
            let team = (s % u64::from(REOPEN_TEAMS)) as u32;
            let challenge = (s / u64::from(REOPEN_TEAMS)) % u64::from(REOPEN_CHALLENGES);
            let answer = if s.is_multiple_of(4) {
                format!("right {challenge}")
            } else {
                format!("guess {s}")
            };
            Command::Submit {
                team: TeamId(team),
                challenge: format!("c{challenge}"),
                answer,
                key: IdempotencyKey(u128::from(s)),
            }
        };
        n += 1;
        let decision = state.decide(&command, during()).expect("a valid command");
        state
            .apply_all(&decision.events)
            .expect("decided events apply");
        batch.extend(decision.events);
        if batch.len() >= BATCH {
            end = store.append(&id, end, &batch).await.expect("appends");
            batch.clear();
            if end >= next_report {
                eprintln!("  built {end} events in {:.1?}", started.elapsed());
                next_report += 100_000;
            }
        }
    }
    if !batch.is_empty() {
        end = store.append(&id, end, &batch).await.expect("appends");
    }
    assert_eq!(end, state.seq(), "the store holds every decided event");
    eprintln!("  done: {end} events in {:.1?}", started.elapsed());
}

/// Opens the store in `dir` and replays its one hunt, printing times and memory.
async fn reopen_measure(dir: &Path) {
    let before = rss();
    let started = Instant::now();
    let store = Arc::new(SledStore::open(dir).expect("the store reopens"));
    let opened = started.elapsed();
    let after_store = rss();
    let hunts = store.hunts().await.expect("the hunts list");
    let [id] = hunts.as_slice() else {
        panic!("one hunt expected, found {hunts:?}");
    };
    let started = Instant::now();
    let engine = Engine::open(store, id, None)
        .await
        .expect("the hunt replays");
    let replayed = started.elapsed();
    let after = rss();
    let events = engine.snapshot().seq();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!("reopen of {events} events:");
    println!("  SledStore::open: {opened:.2?}");
    println!(
        "  Engine::open (replay): {replayed:.2?}, {:.0} events/s",
        events as f64 / replayed.as_secs_f64()
    );
    println!(
        "  RSS: {:.1} MiB before, {:.1} MiB after SledStore::open, {:.1} MiB after replay \
         (+{:.1} MiB, {:.0} bytes per event)",
        mib(before),
        mib(after_store),
        mib(after),
        mib(after.saturating_sub(before)),
        after.saturating_sub(before) as f64 / events as f64
    );
    drop(engine);
    println!(
        "  directory: {:.1} MiB, {:.0} bytes per event",
        mib(directory_size(dir)),
        directory_size(dir) as f64 / events as f64
    );
}

/// The reopen measurement: builds the log here, measures the reopen in a fresh process.
fn reopen(runtime: &tokio::runtime::Runtime, events: u64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    eprintln!(
        "building a log of {events} events in {}",
        dir.path().display()
    );
    runtime.block_on(build_log(dir.path(), events));
    let status = std::process::Command::new(std::env::current_exe().expect("this program"))
        .arg("reopen-measure")
        .arg(dir.path())
        .status()
        .expect("the measuring process starts");
    assert!(status.success(), "the measuring process failed: {status}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // As many workers as this machine (and CI's) has cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    match args.first().map(String::as_str) {
        Some("reopen") => {
            let events = args
                .get(1)
                .map_or(1_000_000, |s| s.parse().expect("EVENTS is a number"));
            return reopen(&runtime, events);
        }
        Some("reopen-measure") => {
            let dir = args.get(1).expect("a directory to reopen");
            return runtime.block_on(reopen_measure(Path::new(dir)));
        }
        _ => {}
    }
    let seconds: u64 = args
        .first()
        .map_or(3, |s| s.parse().expect("SECONDS is a number"));
    let events: u64 = args
        .get(1)
        .map_or(100_000, |s| s.parse().expect("EVENTS is a number"));
    runtime.block_on(async {
        for submitters in [1, 8, 64] {
            let (per_second, per_append) =
                throughput(submitters, Duration::from_secs(seconds)).await;
            println!(
                "{submitters:>2} submitters: {per_second:>8.0} acknowledged submissions/s, \
                 {per_append:.1} submissions per append (flush)"
            );
        }
        let (median, p99, mean) = latency(2_000).await;
        println!(
            "one submission without contention: median {median:?}, p99 {p99:?}, mean {mean:?}"
        );
        let (files, sled) = disk(events).await;
        println!(
            "disk after {events} events: {files:.0} bytes per event in the directory, \
             {sled:.0} by sled's own count"
        );
    });
}

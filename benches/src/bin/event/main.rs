//! The event harness: a whole generated competition (`benches::workload`) run through
//! hunt's core (live, event by event, and bulk replay), the engine on `MemoryStore`, and the
//! sled store, beside the same solves in Redis sorted sets and PostgreSQL window queries;
//! it prints per-solve costs, reads (top 100, one team's rank, the full board), memory, and
//! ratios between them, all measured in the same run.
//!
//! Run with `cargo run --release -p benches --bin event -- [OPTIONS]`:
//!
//! - `--teams N` (default 10000): the CTF shape's size (10k, 100k and 1M are the issue's).
//! - `--values static|ctfd|both` (default both): static points, CTFd's decay, or each.
//! - `--shape ctf|puzzle` (default ctf): the puzzle hunt is static and skips SQL and Redis.
//! - `--seed N` (default 1).
//! - `--skip engine,sled,redis,pg,live,ranking` (any of them, comma-separated).
//! - `--live-budget SECONDS`: stop the live run after that long and say how far it got (the
//!   rest of the harness then runs on the bulk replay's state).
//! - `--read-every N`: in the live run, read the top 10 after every N solves, timed with the
//!   solve before it (the standings are settled when read: this charges that work to the
//!   solves, as readers of every published state would).
//!
//! Redis is looked for on 127.0.0.1:6379 (`REDIS_ADDR` overrides) and PostgreSQL at
//! `HUNT_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`, schema
//! `hunt_bench_event`, dropped afterwards); either one that does not answer is reported and
//! skipped, and everything else still runs. The default size finishes in about a minute.

mod redis;
mod sql;

use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::workload::{Shape, Spec, Values, Workload, answer, slug};
use hunt_core::state::{HuntState, Outcome};
use hunt_core::store::Store;
use hunt_core::{ChallengeId, Engine, Recorded, TeamId, Verdict};

/// What to run, from the command line.
#[derive(Debug, Clone)]
struct Options {
    teams: u32,
    values: Vec<Values>,
    shape: Shape,
    seed: u64,
    skip: Vec<String>,
    /// Stop the live run after this long, saying how far it got.
    live_budget: Option<Duration>,
    /// In the live run, read the top 10 after every this many solves.
    read_every: Option<usize>,
}

impl Options {
    fn parse() -> Self {
        let mut options = Options {
            teams: 10_000,
            values: vec![Values::Static, Values::CtfdDecay],
            shape: Shape::Ctf,
            seed: 1,
            skip: Vec::new(),
            live_budget: None,
            read_every: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
            };
            match arg.as_str() {
                "--teams" => options.teams = value().parse().unwrap_or_else(|_| usage("--teams N")),
                "--seed" => options.seed = value().parse().unwrap_or_else(|_| usage("--seed N")),
                "--values" => {
                    options.values = match value().as_str() {
                        "static" => vec![Values::Static],
                        "ctfd" => vec![Values::CtfdDecay],
                        "both" => vec![Values::Static, Values::CtfdDecay],
                        _ => usage("--values static|ctfd|both"),
                    }
                }
                "--shape" => {
                    options.shape = match value().as_str() {
                        "ctf" => Shape::Ctf,
                        "puzzle" => Shape::PuzzleHunt,
                        _ => usage("--shape ctf|puzzle"),
                    }
                }
                "--skip" => options.skip = value().split(',').map(str::to_owned).collect(),
                "--live-budget" => {
                    let secs: u64 = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--live-budget SECONDS"));
                    options.live_budget = Some(Duration::from_secs(secs));
                }
                "--read-every" => {
                    let every: usize = value().parse().unwrap_or_else(|_| usage("--read-every N"));
                    options.read_every = Some(every.max(1));
                }
                // `cargo bench` passes this to every bench binary.
                "--bench" => {}
                other => usage(&format!("unknown argument {other}")),
            }
        }
        if options.teams == 0 {
            usage("--teams must be at least 1");
        }
        if options.shape == Shape::PuzzleHunt {
            options.values = vec![Values::Static];
        }
        options
    }

    fn runs(&self, part: &str) -> bool {
        !self.skip.iter().any(|s| s == part)
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "event: {problem}\nusage: event [--teams N] [--values static|ctfd|both] \
         [--shape ctf|puzzle] [--seed N] [--skip engine,sled,redis,pg,live,ranking] \
         [--live-budget SECONDS] [--read-every N]"
    );
    std::process::exit(2)
}

/// Median, mean, 99th percentile and maximum of some durations, in nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    count: usize,
    median: f64,
    mean: f64,
    p99: f64,
    max: f64,
}

impl Summary {
    fn of(samples: &mut [u64]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize] as f64;
        Self {
            count: samples.len(),
            median: at(0.5),
            mean: samples.iter().sum::<u64>() as f64 / samples.len() as f64,
            p99: at(0.99),
            max: samples[samples.len() - 1] as f64,
        }
    }

    fn line(&self) -> String {
        format!(
            "{} solves: median {}, mean {}, p99 {}, max {}",
            self.count,
            ns(self.median),
            ns(self.mean),
            ns(self.p99),
            ns(self.max)
        )
    }
}

/// A duration in nanoseconds, in a readable unit.
fn ns(value: f64) -> String {
    if value < 1_000.0 {
        format!("{value:.0} ns")
    } else if value < 1_000_000.0 {
        format!("{:.2} µs", value / 1e3)
    } else if value < 1e9 {
        format!("{:.2} ms", value / 1e6)
    } else {
        format!("{:.2} s", value / 1e9)
    }
}

/// The median time of `runs` calls of `read`, in nanoseconds.
fn median_of(runs: usize, mut read: impl FnMut(usize)) -> f64 {
    let mut samples: Vec<u64> = (0..runs)
        .map(|i| {
            let started = Instant::now();
            read(i);
            started.elapsed().as_nanos() as u64
        })
        .collect();
    Summary::of(&mut samples).median
}

/// CPU time this process has used (user and system), from `/proc/self/stat` (Linux), at
/// its 10 ms resolution: on a shared machine it says what a run cost where wall time also
/// counts the waits for a core.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; in
    // clock ticks of 1/100 s on Linux.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// What Redis or PostgreSQL measured on the same solves, for the ratios, in nanoseconds.
#[derive(Debug, Clone, Copy)]
struct Figures {
    /// Mean time per solve written (Redis: pipelined `ZADD`s; PostgreSQL: one `INSERT`
    /// each).
    per_solve: f64,
    /// Median time of the top 100 (Redis: `ZREVRANGE 0 99 WITHSCORES`).
    top100: f64,
    /// Median time of one team's rank (Redis: `ZREVRANK`).
    rank: f64,
    /// Median time of the full board (Redis: `ZREVRANGE 0 -1 WITHSCORES`).
    board: f64,
}

/// What the core measured, for the ratios printed at the end.
#[derive(Debug, Clone, Default)]
struct CoreFigures {
    live_total: Duration,
    per_solve: Summary,
    top100: f64,
    rank: f64,
    board: f64,
    /// The top 100 as (team, score), to compare with the other systems.
    top: Vec<(u32, i64)>,
}

/// Applies the registrations (in bulk: they are not what is measured).
fn registered(w: &Workload) -> HuntState {
    let mut state = HuntState::new(w.hunt.clone(), None).expect("no sealed answers");
    let mut bulk = state.bulk();
    for team in 0..w.spec.teams {
        let recorded = Recorded {
            seq: u64::from(team) + 1,
            event: w.registration(team),
        };
        bulk.apply(&recorded).expect("registrations apply");
    }
    drop(bulk);
    state
}

/// Every solve decided and applied one at a time, as a live engine does; timed per solve,
/// split by whether it changed its challenge's value.
///
/// Returns `None` (after saying how far it got) if `budget` ran out first.
fn core_live(
    w: &Workload,
    budget: Option<Duration>,
    read_every: Option<usize>,
) -> Option<(HuntState, CoreFigures)> {
    let rss_before = benches::rss();
    let mut state = registered(w);
    let mut all = Vec::with_capacity(w.solves.len());
    let mut same_value = Vec::new();
    let mut new_value = Vec::new();
    let cpu = cpu_time();
    let started = Instant::now();
    for (i, solve) in w.solves.iter().enumerate() {
        let command = w.submission(i);
        let now = w.at(solve.at);
        let challenge = ChallengeId(solve.challenge);
        let scoring = &w.hunt.challenge(challenge).scoring;
        let n = state.solve_count(challenge);
        let t0 = Instant::now();
        let decision = state.decide(&command, now).expect("a valid submission");
        state
            .apply_all(&decision.events)
            .expect("decided events apply");
        if read_every.is_some_and(|every| (i + 1) % every == 0) {
            std::hint::black_box(state.top(10));
        }
        let took = t0.elapsed().as_nanos() as u64;
        debug_assert!(matches!(
            decision.outcome,
            Outcome::Verdict(Verdict::Correct { .. })
        ));
        all.push(took);
        // CTFd values do not depend on other challenges: the maximum count is irrelevant.
        if scoring.value_at(0, n, 0) == scoring.value_at(0, n + 1, 0) {
            same_value.push(took);
        } else {
            new_value.push(took);
        }
        if budget.is_some_and(|b| i % 1024 == 0 && started.elapsed() > b) {
            println!(
                "  core live, decide + apply: STOPPED at the budget of {:.0?} after {} of {} \
                 solves ({:.1} %, {:.2?}, CPU {:.2?}); so far {}",
                budget.unwrap_or_default(),
                i + 1,
                w.solves.len(),
                i as f64 * 100.0 / w.solves.len() as f64,
                started.elapsed(),
                cpu_time().saturating_sub(cpu),
                Summary::of(&mut all).line()
            );
            println!(
                "    value unchanged: {}",
                Summary::of(&mut same_value).line()
            );
            println!(
                "    value changed:   {}",
                Summary::of(&mut new_value).line()
            );
            return None;
        }
    }
    let live_total = started.elapsed();
    let live_cpu = cpu_time().saturating_sub(cpu);
    let rss_after = benches::rss();
    let per_solve = Summary::of(&mut all);
    println!(
        "  core live, decide + apply: whole event {:.2?} (CPU {:.2?}); {}",
        live_total,
        live_cpu,
        per_solve.line()
    );
    if w.hunt
        .challenges
        .iter()
        .any(|c| c.scoring.rule.is_dynamic())
    {
        println!(
            "    value unchanged: {}",
            Summary::of(&mut same_value).line()
        );
        println!(
            "    value changed:   {}",
            Summary::of(&mut new_value).line()
        );
    }
    let teams = f64::from(w.spec.teams);
    let grown = rss_after.saturating_sub(rss_before);
    println!(
        "  memory of the live state: {} RSS ({:.0} bytes per team, {:.0} per solve)",
        mib(grown),
        grown as f64 / teams,
        grown as f64 / w.solves.len().max(1) as f64
    );
    let mut figures = CoreFigures {
        live_total,
        per_solve,
        ..CoreFigures::default()
    };
    reads(w, &state, &mut figures);
    Some((state, figures))
}

/// Times the three reads on a final state.
fn reads(w: &Workload, state: &HuntState, figures: &mut CoreFigures) {
    let mut rng = benches::XorShift::new(w.spec.seed ^ 0x5eed);
    let teams: Vec<TeamId> = (0..1_000)
        .map(|_| TeamId(rng.below(u64::from(w.spec.teams)) as u32))
        .collect();
    figures.top100 = median_of(1_000, |_| {
        std::hint::black_box(state.top(100));
    });
    figures.rank = median_of(10_000, |i| {
        std::hint::black_box(state.team_row(teams[i % teams.len()]));
    });
    let runs = if w.spec.teams > 200_000 { 3 } else { 11 };
    figures.board = median_of(runs, |_| {
        std::hint::black_box(state.standings());
    });
    figures.top = state
        .top(100)
        .iter()
        .map(|row| (row.team.0, row.score))
        .collect();
    println!(
        "  reads (medians): top 100 {}, one team's row and place {}, full board {}",
        ns(figures.top100),
        ns(figures.rank),
        ns(figures.board)
    );
}

/// The whole log replayed in bulk: events per second, and the same bytes as the live state.
fn core_bulk(w: &Workload, live: Option<&HuntState>) -> HuntState {
    // Below a million teams the log is built first, so only the replay is timed.
    let materialize = w.spec.teams <= 200_000;
    let (state, took, used) = if materialize {
        let log: Vec<Recorded> = w.log().collect();
        let cpu = cpu_time();
        let started = Instant::now();
        let state = HuntState::replay(w.hunt.clone(), None, &log).expect("the log replays");
        (state, started.elapsed(), cpu_time().saturating_sub(cpu))
    } else {
        let rss_before = benches::rss();
        let mut state = HuntState::new(w.hunt.clone(), None).expect("no sealed answers");
        let cpu = cpu_time();
        let started = Instant::now();
        let mut bulk = state.bulk();
        for recorded in w.log() {
            bulk.apply(&recorded).expect("the log replays");
        }
        drop(bulk);
        let took = started.elapsed();
        let used = cpu_time().saturating_sub(cpu);
        let grown = benches::rss().saturating_sub(rss_before);
        println!(
            "  memory of the replayed state: {} RSS ({:.0} bytes per team, {:.0} per solve)",
            mib(grown),
            grown as f64 / f64::from(w.spec.teams),
            grown as f64 / w.solves.len().max(1) as f64
        );
        (state, took, used)
    };
    println!(
        "  core bulk replay of {} events: {:.2?}, {:.2} M events/s (CPU {:.2?}, {:.2} M events \
         per CPU second){}",
        w.len(),
        took,
        w.len() as f64 / took.as_secs_f64() / 1e6,
        used,
        w.len() as f64 / used.as_secs_f64().max(0.01) / 1e6,
        if materialize {
            ""
        } else {
            " (events built as they are applied)"
        }
    );
    if let Some(live) = live {
        let same = live.encode_snapshot() == state.encode_snapshot()
            && live.standings() == state.standings();
        println!(
            "  bulk replay and live state: {}",
            if same {
                "byte-identical snapshots and standings"
            } else {
                "DIFFERENT"
            }
        );
        assert!(same, "bulk replay must equal the live state");
    }
    state
}

/// The standings computed from the solves alone, without hunt: the top 100 as (team, score).
fn independent_top(w: &Workload) -> Vec<(u32, i64)> {
    let counts = w.solves_per_challenge();
    let mut score = vec![0i64; w.spec.teams as usize];
    let mut last = vec![i64::MIN; w.spec.teams as usize];
    let mut solved = vec![0u32; w.spec.teams as usize];
    let mut final_at = vec![i64::MAX; w.spec.teams as usize];
    let final_meta = w.hunt.final_meta.map(|c| c.0);
    for s in &w.solves {
        let value = match w.spec.values {
            Values::Static if w.spec.shape == Shape::Ctf => 100 + 9 * i64::from(s.challenge),
            Values::Static => w.hunt.challenges[s.challenge as usize]
                .scoring
                .rule
                .initial(),
            Values::CtfdDecay => ctfd_log(counts[s.challenge as usize], w.spec.teams),
        };
        let t = s.team as usize;
        score[t] += value;
        last[t] = last[t].max(s.at);
        solved[t] += 1;
        if Some(s.challenge) == final_meta {
            final_at[t] = s.at;
        }
    }
    let mut order: Vec<u32> = (0..w.spec.teams).collect();
    match w.spec.shape {
        Shape::Ctf => order.sort_by_key(|&t| (-score[t as usize], last[t as usize], t)),
        Shape::PuzzleHunt => order.sort_by_key(|&t| {
            let t = t as usize;
            (final_at[t], -i64::from(solved[t]), last[t], t)
        }),
    }
    order
        .into_iter()
        .take(100)
        .map(|t| (t, score[t as usize]))
        .collect()
}

/// CTFd's "logarithmic" value at `n` solves (initial 500, minimum 100, decay = teams / 5),
/// in integer arithmetic: `ceil(500 - 400 s² / d²)` floored at 100, with `s = n - 1`.
fn ctfd_log(n: u32, teams: u32) -> i64 {
    let d = i128::from((teams / 5).max(1));
    let s = i128::from(n.saturating_sub(1));
    let drop = 400 * s * s;
    // ceil(500 - drop / d²) = 500 - floor(drop / d²)
    let value = 500 - drop / (d * d);
    value.max(100) as i64
}

/// The engine on `MemoryStore`: registrations appended as one import, then every solve
/// submitted by one caller, awaited one at a time.
async fn engine_memory(w: &Workload) -> Summary {
    let store = Arc::new(hunt_core::store::MemoryStore::new());
    let id = w.hunt.id.clone();
    store
        .save_definition(&id, &w.source, None)
        .await
        .expect("saves the definition");
    let registrations: Vec<_> = (0..w.spec.teams).map(|t| w.registration(t)).collect();
    store
        .append(&id, 0, &registrations)
        .await
        .expect("appends the registrations");
    let engine = Engine::open(store, &id, None).await.expect("opens");
    let mut samples = Vec::with_capacity(w.solves.len());
    let started = Instant::now();
    for i in 0..w.solves.len() {
        samples.push(submit_solve(&engine, w, i).await);
    }
    let total = started.elapsed();
    let summary = Summary::of(&mut samples);
    println!(
        "  engine on MemoryStore, one submitter: whole event {total:.2?}; {}",
        summary.line()
    );
    summary
}

/// Submits the workload's solve `i` through `engine` (its key is `i + 1`); the time it took,
/// in nanoseconds.
async fn submit_solve(engine: &Engine, w: &Workload, i: usize) -> u64 {
    let solve = w.solves[i];
    let t0 = Instant::now();
    let verdict = engine
        .submit(
            TeamId(solve.team),
            &slug(solve.challenge),
            &answer(solve.challenge),
            hunt_core::IdempotencyKey(i as u128 + 1),
            w.at(solve.at),
        )
        .await
        .expect("the engine submits");
    let took = t0.elapsed().as_nanos() as u64;
    debug_assert!(matches!(verdict, Verdict::Correct { .. }));
    took
}

/// The sled store: the log imported in chunks, reopened from the log alone; the last solves
/// submitted live (each acknowledged after sled's flush); a checkpoint; reopened from it.
async fn sled(w: &Workload) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let id = w.hunt.id.clone();
    let live = w.solves.len().min(1_000);
    let imported = w.len() - live;
    {
        let store = hunt_store_sled::SledStore::open(dir.path()).expect("sled opens");
        store
            .save_definition(&id, &w.source, None)
            .await
            .expect("saves the definition");
        let started = Instant::now();
        let mut end = 0;
        let mut chunk = Vec::with_capacity(10_000);
        for recorded in w.log().take(imported) {
            chunk.push(recorded.event);
            if chunk.len() == 10_000 {
                end = store.append(&id, end, &chunk).await.expect("appends");
                chunk.clear();
            }
        }
        if !chunk.is_empty() {
            store.append(&id, end, &chunk).await.expect("appends");
        }
        println!(
            "  sled: {imported} events imported in chunks of 10,000 in {:.2?}",
            started.elapsed()
        );
    }
    let started = Instant::now();
    let store = Arc::new(hunt_store_sled::SledStore::open(dir.path()).expect("sled reopens"));
    let engine = Engine::open(store, &id, None)
        .await
        .expect("the hunt opens");
    println!(
        "  sled: reopened from the log alone in {:.2?} ({} events)",
        started.elapsed(),
        engine.opened().replayed
    );
    let mut samples = Vec::with_capacity(live);
    for i in w.solves.len() - live..w.solves.len() {
        samples.push(submit_solve(&engine, w, i).await);
    }
    println!(
        "  sled, one submitter, each solve flushed: last {}",
        Summary::of(&mut samples).line()
    );
    let started = Instant::now();
    let seq = engine.checkpoint().await.expect("checkpoints");
    println!("  sled: checkpoint at {seq} in {:.2?}", started.elapsed());
    drop(engine);
    let started = Instant::now();
    let store = Arc::new(hunt_store_sled::SledStore::open(dir.path()).expect("sled reopens"));
    let engine = Engine::open(store, &id, None)
        .await
        .expect("the hunt opens");
    println!(
        "  sled: reopened from the checkpoint in {:.2?} (checkpoint {:?}, {} replayed); \
         {} on disk",
        started.elapsed(),
        engine.opened().checkpoint,
        engine.opened().replayed,
        mib(benches::directory_size(dir.path()))
    );
}

/// What re-ranking `k` changed teams one by one costs against re-sorting the whole board of
/// `n` teams, the choice `state/pricing.rs` makes with its `RESORT_RATIO`.
fn moves_against_resort(n: u32, seed: u64) {
    use hunt_core::hunt::SharedRanks;
    use hunt_core::standings::{RankIndex, SortKey};
    let mut rng = benches::XorShift::new(seed);
    let mut keys: Vec<SortKey> = (0..n)
        .map(|_| SortKey([-(rng.below(20_000) as i64), rng.below(1 << 30) as i64, 0]))
        .collect();
    let mut index = RankIndex::new(SharedRanks::Standard);
    for (team, key) in keys.iter().enumerate() {
        index.upsert(TeamId(team as u32), *key);
    }
    let resort = median_of(5, |_| {
        let mut sorted: Vec<(SortKey, TeamId)> = keys
            .iter()
            .enumerate()
            .map(|(t, k)| (*k, TeamId(t as u32)))
            .collect();
        sorted.sort_unstable();
        let mut fresh = RankIndex::new(SharedRanks::Standard);
        for (key, team) in sorted {
            fresh.upsert(team, key);
        }
        std::hint::black_box(fresh);
    });
    let mut line = format!("  ranking {n} teams: a re-sort {}", ns(resort));
    for share in [100, 10, 3] {
        let k = (n / share).max(1);
        let started = Instant::now();
        for _ in 0..k {
            let team = rng.below(u64::from(n)) as usize;
            // A solve's value falling: the team moves down a little.
            keys[team].0[0] += rng.below(50) as i64 + 1;
            index.upsert(TeamId(team as u32), keys[team]);
        }
        let took = started.elapsed().as_nanos() as f64;
        line.push_str(&format!(
            "; {k} moves (n/{share}) {} ({:.0} ns each)",
            ns(took),
            took / f64::from(k)
        ));
    }
    println!("{line}");
}

fn ratio(what: &str, hunt: f64, other: f64, name: &str) {
    if hunt > 0.0 && other > 0.0 {
        println!(
            "  {what}: hunt {} vs {name} {}: {name} takes {:.1}× hunt's time",
            ns(hunt),
            ns(other),
            other / hunt
        );
    }
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    for values in options.values.clone() {
        let spec = Spec {
            shape: options.shape,
            values,
            teams: options.teams,
            seed: options.seed,
        };
        let started = Instant::now();
        let w = Workload::generate(spec);
        let counts = w.solves_per_challenge();
        let mut shares: Vec<f64> = counts
            .iter()
            .map(|&n| f64::from(n) / f64::from(spec.teams))
            .collect();
        shares.sort_by(|a, b| b.total_cmp(a));
        println!(
            "\n== {:?} {:?}, {} teams, {} challenges, {} solves ({:.1} per team), generated in \
             {:.2?}; solved by {:.0} % (easiest), {:.0} % (median), {:.0} % (hardest)",
            spec.shape,
            values,
            spec.teams,
            counts.len(),
            w.solves.len(),
            w.solves.len() as f64 / f64::from(spec.teams),
            started.elapsed(),
            shares[0] * 100.0,
            shares[shares.len() / 2] * 100.0,
            shares[shares.len() - 1] * 100.0
        );
        if options.runs("ranking") {
            moves_against_resort(spec.teams, spec.seed);
        }
        let live = if options.runs("live") {
            core_live(&w, options.live_budget, options.read_every)
        } else {
            None
        };
        let bulk = core_bulk(&w, live.as_ref().map(|(s, _)| s));
        let mut figures = match live {
            Some((_, figures)) => figures,
            None => {
                let mut figures = CoreFigures::default();
                reads(&w, &bulk, &mut figures);
                figures
            }
        };
        if figures.top.is_empty() {
            figures.top = bulk
                .top(100)
                .iter()
                .map(|row| (row.team.0, row.score))
                .collect();
        }
        let expected = independent_top(&w);
        println!(
            "  top 100 against an independent computation from the solves: {}",
            if expected == figures.top {
                "identical"
            } else {
                "DIFFERENT"
            }
        );
        assert_eq!(expected, figures.top, "hunt's top 100 must be exact");
        drop(bulk);
        let engine = if options.runs("engine") {
            Some(engine_memory(&w).await)
        } else {
            None
        };
        if options.runs("sled") {
            sled(&w).await;
        }
        let redis = if options.runs("redis") && spec.shape == Shape::Ctf && values == Values::Static
        {
            redis::run(&w, &figures.top)
        } else {
            None
        };
        let pg = if options.runs("pg") && spec.shape == Shape::Ctf {
            sql::run(&w, &figures.top).await
        } else {
            None
        };
        println!("  ratios (same run):");
        if let Some(engine) = engine {
            println!(
                "  engine submit vs core decide + apply (medians): {:.2}×",
                engine.median / figures.per_solve.median.max(1.0)
            );
        }
        if let Some(r) = redis {
            ratio(
                "write per solve (mean)",
                figures.per_solve.mean,
                r.per_solve,
                "Redis",
            );
            ratio("top 100", figures.top100, r.top100, "Redis");
            ratio("one team's rank", figures.rank, r.rank, "Redis");
            ratio("full board", figures.board, r.board, "Redis");
        }
        if let Some(p) = pg {
            ratio("top 100", figures.top100, p.top100, "PostgreSQL");
            ratio("one team's rank", figures.rank, p.rank, "PostgreSQL");
            ratio("full board", figures.board, p.board, "PostgreSQL");
            ratio(
                "write per solve (mean)",
                figures.per_solve.mean,
                p.per_solve,
                "PostgreSQL",
            );
        }
        if live_total_known(&figures) {
            println!("  whole event live in the core: {:.2?}", figures.live_total);
        }
    }
}

fn live_total_known(figures: &CoreFigures) -> bool {
    figures.live_total > Duration::ZERO
}

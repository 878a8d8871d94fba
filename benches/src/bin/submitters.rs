//! Concurrent submitters on the engine over `MemoryStore`: the generated CTF event's solves
//! submitted by N tasks at once, for each N asked for, on a fresh engine each time; prints
//! submissions per second.
//!
//! Run with `cargo run --release -p benches --bin submitters -- [OPTIONS]`:
//!
//! - `--teams N` (default 100000): the CTF shape's size (static points).
//! - `--submitters A,B,…` (default 1,64): the numbers of concurrent tasks to measure.
//! - `--solves N` (default: all of the event's): submit only the first N solves.
//! - `--workers N` (default 2): the tokio runtime's worker threads.
//! - `--rounds N` (default 1): measure each number of submitters this many times, taking
//!   turns, so that a loaded machine affects each alike.
//!
//! The teams are registered through `Engine::execute_batch`, which is timed too. Task `k`
//! of `N` submits the solves `k, k + N, k + 2N, …` in order, each awaited before the next,
//! so all `N` are waiting on the engine at once.

use std::sync::Arc;
use std::time::Instant;

use benches::workload::{Shape, Spec, Values, Workload, answer, slug};
use hunt_core::engine::Batched;
use hunt_core::store::{MemoryStore, Store};
use hunt_core::{Command, Engine, IdempotencyKey, TeamId};

struct Options {
    teams: u32,
    submitters: Vec<usize>,
    solves: Option<usize>,
    workers: usize,
    rounds: usize,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: submitters [--teams N] [--submitters A,B,...] [--solves N] \
         [--workers N] [--rounds N]"
    );
    std::process::exit(2)
}

fn parse() -> Options {
    let mut options = Options {
        teams: 100_000,
        submitters: vec![1, 64],
        solves: None,
        workers: 2,
        rounds: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        let number = || value.parse().unwrap_or_else(|_| usage(&format!("{arg} N")));
        match arg.as_str() {
            "--teams" => options.teams = number() as u32,
            "--solves" => options.solves = Some(number()),
            "--workers" => options.workers = number(),
            "--rounds" => options.rounds = number(),
            "--submitters" => {
                options.submitters = value
                    .split(',')
                    .map(|n| n.parse().unwrap_or_else(|_| usage("--submitters A,B,...")))
                    .collect()
            }
            _ => usage(&format!("unknown option {arg}")),
        }
    }
    options
}

/// An engine on a fresh `MemoryStore` with the workload's teams registered in one batch;
/// how long the registration took.
async fn engine_with_teams(w: &Workload) -> (Arc<Engine>, f64) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let engine = Engine::create(store, &w.source, None)
        .await
        .expect("the generated hunt is valid");
    let at = w.at(-3_600_000);
    let started = Instant::now();
    let results = engine
        .execute_batch((0..w.spec.teams).map(|t| {
            let register = Command::Register {
                name: format!("team-{t}"),
                division: None,
            };
            Batched::with_key(register, IdempotencyKey(u128::from(t) + (1 << 64)), at)
        }))
        .await;
    let took = started.elapsed().as_secs_f64();
    assert!(results.iter().all(Result::is_ok), "every team registers");
    (Arc::new(engine), took)
}

/// Submits the first `solves` solves of `w` with `tasks` concurrent tasks; submissions per
/// second.
async fn run(engine: &Arc<Engine>, w: &Arc<Workload>, solves: usize, tasks: usize) -> f64 {
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for k in 0..tasks {
        let (engine, w) = (engine.clone(), w.clone());
        set.spawn(async move {
            for i in (k..solves).step_by(tasks) {
                let solve = w.solves[i];
                engine
                    .submit(
                        TeamId(solve.team),
                        &slug(solve.challenge),
                        &answer(solve.challenge),
                        IdempotencyKey(i as u128 + 1),
                        w.at(solve.at),
                    )
                    .await
                    .expect("the engine submits");
            }
        });
    }
    set.join_all().await;
    solves as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let options = parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let w = Arc::new(Workload::generate(Spec {
        shape: Shape::Ctf,
        values: Values::Static,
        teams: options.teams,
        seed: 1,
    }));
    let solves = options.solves.unwrap_or(w.solves.len()).min(w.solves.len());
    println!(
        "{} teams, {solves} solves, {} runtime workers",
        options.teams, options.workers
    );
    runtime.block_on(async {
        for round in 0..options.rounds {
            for &tasks in &options.submitters {
                let (engine, registered) = engine_with_teams(&w).await;
                let rate = run(&engine, &w, solves, tasks).await;
                println!(
                    "round {round}: {tasks:>3} submitters: {rate:>9.0} submissions/s \
                     (teams registered in one batch in {registered:.2} s)"
                );
            }
        }
    });
}

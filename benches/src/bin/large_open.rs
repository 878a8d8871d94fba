//! Opening a hunt of 100,000 challenges on the sled store (issue 13, item 11): every CLI
//! command opens the engine once, so this is most of what each command costs on such a hunt.
//!
//! The hunt is generated (100,000 challenges, every tenth unlocked by the one before: 9.8 MB
//! of TOML), with a few teams. It first times loading the definition alone, parse and
//! compile apart; then `Engine::open` without a checkpoint, which parses and validates the
//! definition (what every command paid before checkpoints carried the compiled hunt), then
//! writes a checkpoint
//! and times `Engine::open` from it, which decodes the compiled hunt instead. Each open is a
//! fresh `SledStore::open` of the directory, as a CLI command does; the median of 3 is shown.
//!
//! Run with `cargo run --release -p benches --bin large_open [CHALLENGES]`.
//!
//! Measured here (2 shared cores, load average 5 to 8 from other builds), 100,000
//! challenges: open parsing the definition 1.5-1.7 s; open from the checkpoint 0.24 s
//! (6.4-7.1x faster), of which decoding the state and its compiled hunt 0.17 s; dropping
//! that state afterwards another 0.1 s.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{HuntId, Timestamp};
use hunt_store_sled::SledStore;

/// Challenges in the generated hunt unless the first argument says otherwise.
const CHALLENGES: usize = 100_000;

/// Opens timed per case.
const RUNS: usize = 3;

fn source(challenges: usize) -> String {
    let mut source = String::from(
        "id = \"large\"\ntitle = \"Large\"\nstart = 2026-11-28T09:00:00Z\n\
         end = 2026-11-28T21:00:00Z\n",
    );
    for i in 0..challenges {
        let unlock = if i % 10 == 9 {
            format!("unlock = {{ solved = \"c{}\" }}\n", i - 1)
        } else {
            String::new()
        };
        write!(
            source,
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"Challenge {i}\"\npoints = 100\n\
             answers = [\"answer {i}\"]\n{unlock}"
        )
        .expect("writing to a String");
    }
    source
}

/// Opens the store in `dir` and the engine of `hunt` `RUNS` times; the median time, and
/// whether the last open took the compiled hunt from the checkpoint.
async fn open_times(dir: &std::path::Path, hunt: &HuntId) -> (Duration, bool) {
    let mut times = Vec::new();
    let mut from_checkpoint = false;
    for _ in 0..RUNS {
        let started = Instant::now();
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir).expect("the store opens"));
        let engine = Engine::open(store, hunt, None)
            .await
            .expect("the hunt opens");
        times.push(started.elapsed());
        from_checkpoint = engine.opened().compiled_from_checkpoint;
        drop(engine);
    }
    times.sort();
    (times[RUNS / 2], from_checkpoint)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let challenges: usize = std::env::args().nth(1).map_or(CHALLENGES, |text| {
        text.parse().expect("CHALLENGES is a count")
    });
    let source = source(challenges);
    let started = Instant::now();
    let spec = hunt_core::definition::parse(&source).expect("the generated hunt parses");
    let parsed = started.elapsed();
    let started = Instant::now();
    hunt_core::definition::compile(&spec).expect("the generated hunt compiles");
    let compiled = started.elapsed();
    println!(
        "{challenges} challenges, {} bytes of TOML: parsing {:.3} s, compiling {:.3} s",
        source.len(),
        parsed.as_secs_f64(),
        compiled.as_secs_f64()
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let hunt = HuntId::new("large").expect("a valid id");
    {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).expect("a store"));
        let engine = Engine::create(store, &source, None)
            .await
            .expect("the hunt loads");
        let at = Timestamp::parse_rfc3339("2026-11-28T08:30:00Z").expect("an instant");
        for name in ["Sea Otters", "Null Pointers", "Rust Buckets"] {
            engine.register(name, None, at).await.expect("registered");
        }
    }
    let (compiling, cached) = open_times(dir.path(), &hunt).await;
    assert!(!cached, "no checkpoint yet");
    let started = Instant::now();
    {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).expect("a store"));
        let engine = Engine::open(store, &hunt, None).await.expect("opens");
        engine.checkpoint().await.expect("a checkpoint is written");
    }
    let writing = started.elapsed();
    let (decoding, cached) = open_times(dir.path(), &hunt).await;
    assert!(cached, "the checkpoint carries the compiled hunt");
    // Where an open from the checkpoint spends its time, step by step.
    let started = Instant::now();
    let store = SledStore::open(dir.path()).expect("the store opens");
    let opened = started.elapsed();
    let started = Instant::now();
    let definition = store
        .load_definition(&hunt)
        .await
        .expect("loads")
        .expect("saved");
    let loaded = started.elapsed();
    let started = Instant::now();
    hunt_core::store::definition_digest(&definition);
    let digested = started.elapsed();
    let started = Instant::now();
    let checkpoint = store
        .load_checkpoint(&hunt)
        .await
        .expect("loads")
        .expect("saved");
    let read = started.elapsed();
    let started = Instant::now();
    let state = hunt_core::state::HuntState::decode_snapshot_compiled(None, &checkpoint.state)
        .expect("decodes");
    let decoded = started.elapsed();
    let started = Instant::now();
    drop(state);
    let dropped = started.elapsed();
    let hunt_compiled = Arc::new(hunt_core::definition::load(&definition).expect("loads"));
    let started = Instant::now();
    let fresh = hunt_core::state::HuntState::new(hunt_compiled.clone(), None).expect("a state");
    let fresh_time = started.elapsed();
    drop(fresh);
    let started = Instant::now();
    let given =
        hunt_core::state::HuntState::decode_snapshot(hunt_compiled, None, &checkpoint.state)
            .expect("decodes");
    let given_time = started.elapsed();
    drop(given);
    println!(
        "HuntState::new {:.3} s; decode_snapshot with the hunt given {:.3} s",
        fresh_time.as_secs_f64(),
        given_time.as_secs_f64()
    );
    println!(
        "from the checkpoint, step by step: sled open {:.3} s, definition read {:.3} s, its \
         digest {:.3} s, checkpoint read {:.3} s ({} bytes), state and hunt decoded {:.3} s, \
         dropped {:.3} s",
        opened.as_secs_f64(),
        loaded.as_secs_f64(),
        digested.as_secs_f64(),
        read.as_secs_f64(),
        checkpoint.state.len(),
        decoded.as_secs_f64(),
        dropped.as_secs_f64()
    );
    println!(
        "{challenges} challenges, {} bytes of TOML: open parsing the definition {:.3} s; \
         open + checkpoint {:.3} s; open from the checkpoint {:.3} s ({:.1}x faster)",
        source.len(),
        compiling.as_secs_f64(),
        writing.as_secs_f64(),
        decoding.as_secs_f64(),
        compiling.as_secs_f64() / decoding.as_secs_f64()
    );
}

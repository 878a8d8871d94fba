//! `hunt demo`: a small simulated hunt, finishing quickly, ending with a board and a graph.

use std::time::{Duration, Instant};

use crate::Hunt;

#[test]
fn a_small_demo_runs_and_leaves_a_store_to_explore() {
    let hunt = Hunt::empty();
    let started = Instant::now();
    let out = hunt.ok(&["demo", "--teams", "5", "--minutes", "60"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    for words in [
        "5 teams, 60 simulated minutes",
        "submissions:",
        "rank",
        "Score graph: ",
    ] {
        assert!(out.contains(words), "{words:?} not in {out}");
    }
    let graph = hunt.data().join("store").join("score-graph.svg");
    assert!(
        std::fs::read_to_string(graph)
            .expect("written")
            .starts_with("<svg")
    );
    // The store it leaves is a normal store.
    let board = hunt.ok(&["board", "--division", "Students"]);
    assert!(board.contains("Rust Buckets"), "{board}");
    // Running it again on the same directory is refused; the default is a fresh directory.
    hunt.run(&["demo", "--teams", "2", "--minutes", "5"])
        .fails(1, "already holds the sample hunt");
}

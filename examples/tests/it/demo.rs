//! `hunt demo`: a small simulated hunt, finishing quickly, ending with a board and a graph, on
//! either store.

use std::path::PathBuf;
use std::process::Command;

use crate::postgres::{self, Schema};
use crate::{Hunt, Run, Store};

on_each_store!(a_small_demo_runs_and_leaves_a_store_to_explore);

fn a_small_demo_runs_and_leaves_a_store_to_explore(store: Store) {
    let hunt = Hunt::empty_on(store);
    let out = hunt.ok(&["demo", "--teams", "5", "--minutes", "60"]);
    for words in [
        "5 teams, 60 simulated minutes",
        "submissions:",
        "rank",
        "Score graph: ",
    ] {
        assert!(out.contains(words), "{words:?} not in {out}");
    }
    let graph = graph_of(&out);
    if store == Store::Sled {
        assert_eq!(graph, hunt.data().join("store").join("score-graph.svg"));
    }
    assert!(
        std::fs::read_to_string(&graph)
            .expect("written")
            .starts_with("<svg")
    );
    if store == Store::Postgres {
        // Beside a PostgreSQL store the graph goes to a temporary directory the demo keeps.
        let dir = graph.parent().expect("a directory");
        assert!(dir.starts_with(std::env::temp_dir()), "{}", graph.display());
        let _ = std::fs::remove_dir_all(dir);
    }
    // The store it leaves is a normal store.
    let board = hunt.ok(&["board", "--division", "Students"]);
    assert!(board.contains("Rust Buckets"), "{board}");
    // Running it again on the same store is refused; the default is a fresh one.
    hunt.run(&["demo", "--teams", "2", "--minutes", "5"])
        .fails(1, "already holds the hunt");
}

/// The score graph's path that a demo printed.
fn graph_of(out: &str) -> PathBuf {
    let line = out
        .lines()
        .find_map(|line| line.strip_prefix("Score graph: "))
        .unwrap_or_else(|| panic!("no score graph in {out}"));
    PathBuf::from(line)
}

#[test]
fn without_a_schema_the_demo_runs_on_a_fresh_one_and_says_which() {
    let run = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args([
            "--store",
            &postgres::url(),
            "demo",
            "--teams",
            "3",
            "--minutes",
            "20",
        ])
        .env_remove("HUNT_STORE")
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("the hunt binary runs");
    let run = Run::from(run);
    assert_eq!(
        run.code,
        0,
        "on PostgreSQL at {}: {run:#?}",
        postgres::url()
    );
    let name = run
        .stdout
        .split("(schema ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no schema in {}", run.stdout));
    assert!(name.starts_with("hunt_demo_"), "{}", run.stdout);
    let schema = Schema::named(name.to_owned());
    // The way to explore it that the demo prints works as printed.
    let explore = run
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Explore the hunt: hunt --store '"))
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no way to explore in {}", run.stdout));
    let board = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["--store", explore, "board"])
        .env_remove("HUNT_STORE")
        .env_remove("DATABASE_URL")
        .output()
        .expect("the hunt binary runs");
    let board = Run::from(board);
    assert_eq!(board.code, 0, "{board:#?}");
    assert!(board.stdout.contains("Sea Otters"), "{board:#?}");
    let graph = graph_of(&run.stdout);
    assert!(graph.exists(), "{}", run.stdout);
    // The demo keeps its temporary directory for the user; the test cleans up.
    if let Some(dir) = graph
        .parent()
        .filter(|d| d.starts_with(std::env::temp_dir()))
    {
        let _ = std::fs::remove_dir_all(dir);
    }
    drop(schema);
}

#[test]
fn the_whole_sample_hunt_ends_with_the_frozen_board_and_the_reveal() {
    let hunt = Hunt::empty();
    let out = hunt.ok(&["demo", "--teams", "6"]);
    for words in [
        "The Lost Treasure of Building B: 6 teams, 720 simulated minutes",
        "first blood on",
        " throttled",
        "hints taken",
        "Public board at 2026-11-28 21:00:00Z, as teams see it: frozen at 2026-11-28 20:00:00Z",
        "Live board at 2026-11-28 21:00:00Z",
        // Teams push on after the freeze: the reveal shows what the frozen board hid.
        "After the freeze, hidden from teams until the reveal, ",
        "Revealed the final board",
    ] {
        assert!(out.contains(words), "{words:?} not in {out}");
    }
    // Throttled guesses and hints happened (the counts are in the summary).
    let count = |what: &str| -> u64 {
        let before = out.split(what).next().expect("split");
        let number = before.rsplit([' ', '\n', ',']).find(|w| !w.is_empty());
        number.and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    assert!(count(" throttled") > 0, "{out}");
    assert!(count(" hints taken") > 0, "{out}");
    let log = hunt.ok(&["log"]);
    assert!(log.contains("took hint"), "{log}");
    assert!(log.contains("revealed the final board"), "{log}");
    // After the reveal the public board is the live one.
    let public = hunt.ok(&["board", "--public"]);
    assert!(!public.contains("frozen"), "{public}");
}

#[test]
fn the_other_sample_hunts_run_with_hunt_file() {
    for sample in ["ctf.toml", "hackathon.toml", "puzzlehunt.toml"] {
        let hunt = Hunt::empty();
        let file = crate::sample(sample);
        let out = hunt.ok(&[
            "demo",
            "--teams",
            "4",
            "--minutes",
            "90",
            "--hunt-file",
            file.to_str().expect("UTF-8 path"),
        ]);
        assert!(out.contains("4 teams, 90 simulated minutes"), "{out}");
        assert!(out.contains("submissions:"), "{out}");
    }
    let hunt = Hunt::empty();
    hunt.run(&["demo", "--minutes", "721"])
        .fails(1, "--minutes can be at most 720");
}

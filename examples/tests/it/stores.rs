//! Stores that fail say why, and stay readable: damaged files (exit 3, with advice that
//! works, followed here), read-only media (read commands work, writes say why), and the
//! cause of every I/O failure (disk full, a file for a directory) without a "retry" where a
//! retry cannot help.
//!
//! Read-only media and a full disk are real here, not simulated: the binary runs in a mount
//! namespace of its own (`unshare --map-root-user --mount`, so nothing outside sees the
//! mounts and they go away with the process), over a read-only bind mount of the store or a
//! small tmpfs. As root, permission bits don't stop writes, a read-only mount does.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{DURING, Hunt, Run, sample};

/// A shell script (for `sh -c`, the directory in `$0`, the command in `"$@"`) that makes
/// `$0` a read-only bind mount of itself, then runs the command.
const READ_ONLY: &str = r#"mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@""#;

/// Same, but first checks that a write there is really refused.
const READ_ONLY_PROBE: &str =
    r#"mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && ! touch "$0/probe" 2>/dev/null"#;

/// A script that mounts a 1 MiB tmpfs on `$0` and fills it, then runs the command.
const DISK_FULL: &str = r#"mount -t tmpfs -o size=1m tmpfs "$0" && { dd if=/dev/zero of="$0/fill" bs=4k 2>/dev/null; true; } && exec "$@""#;

/// Runs `hunt --data STORE args…` under `script` in a fresh user and mount namespace, with
/// `dir` as the script's `$0`.
fn run_in_namespace(script: &str, dir: &Path, store: &Path, args: &[&str]) -> Run {
    let output = Command::new("unshare")
        .args(["--map-root-user", "--mount", "sh", "-c", script])
        .arg(dir)
        .arg(env!("CARGO_BIN_EXE_hunt"))
        .arg("--data")
        .arg(store)
        .args(args)
        .env_remove("HUNT_SECRET")
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare runs (util-linux)");
    Run::from(output)
}

/// The store's directory of `hunt`.
fn store(hunt: &Hunt) -> PathBuf {
    hunt.data().join("store")
}

/// Runs `hunt args…` on `hunt`'s store, mounted read-only.
fn read_only(hunt: &Hunt, args: &[&str]) -> Run {
    let store = store(hunt);
    run_in_namespace(READ_ONLY, &store, &store, args)
}

/// Every file under `dir` with its contents, to show that nothing changed.
fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("lists") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("reads");
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

/// The hackathon hunt with two teams and one solve by "Sea Otters".
fn played() -> Hunt {
    let hunt = Hunt::with_teams();
    hunt.submit("Sea Otters", "welcome", "anchors");
    hunt
}

#[test]
fn read_commands_work_on_a_read_only_store_and_writes_say_why() {
    let hunt = played();
    let store = store(&hunt);
    let probe = run_in_namespace(READ_ONLY_PROBE, &store, &store, &[]);
    assert_eq!(probe.code, 0, "the mount refuses writes: {probe:#?}");
    let before = files_of(&store);

    let graph = hunt.scratch("scores.svg");
    let graph = graph.to_str().expect("UTF-8 path");
    let reads: [(&[&str], &str); 6] = [
        (&["board"], "Sea Otters"),
        (&["log"], "welcome"),
        (&["export"], "hunt-export"),
        (&["team", "list"], "Null Pointers"),
        (&["team", "show", "Sea Otters", "--at", DURING], "welcome"),
        (&["graph", "--out", graph], "Wrote"),
    ];
    for (args, words) in reads {
        let run = read_only(&hunt, args);
        assert_eq!(run.code, 0, "hunt {args:?} on a read-only store: {run:#?}");
        assert!(run.stdout.contains(words), "{words:?} in {run:#?}");
    }

    let run = read_only(
        &hunt,
        &["submit", "Null Pointers", "welcome", "x", "--at", DURING],
    );
    run.fails(3, "for reading only")
        .fails(3, "commands that only read");
    assert!(!run.stderr.contains("retrying may help"), "{run:#?}");
    assert!(
        files_of(&store) == before,
        "nothing was written to the store"
    );
    // And the store is whole and writable again once the mount is gone.
    hunt.submit("Null Pointers", "welcome", "anchors");
}

#[test]
fn an_emptied_or_truncated_database_file_exits_3_damaged_without_a_panic() {
    for keep in [0, 100] {
        let hunt = played();
        let file = store(&hunt).join("db").join("db");
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_len(keep))
            .expect("truncates");
        let run = hunt.run(&["board"]);
        run.fails(3, "damaged");
        assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
        assert!(!run.stderr.contains("RUST_BACKTRACE"), "{run:#?}");
    }
}

#[test]
fn the_advice_for_a_damaged_store_works_even_on_read_only_media() {
    let hunt = played();
    let marks = store(&hunt).join("hunt-store.marks");
    std::fs::write(&marks, "garbage").expect("written");
    let run = hunt.run(&["board"]);
    run.fails(3, "damaged");
    // The advice, followed word for word, on the damaged store mounted read-only.
    assert!(
        run.stderr
            .contains("`hunt export --salvage --out hunt.jsonl` (same --data")
            && run
                .stderr
                .contains("`hunt --data NEW-DIR import hunt.jsonl`"),
        "{run:#?}"
    );
    let saved = hunt.scratch("hunt.jsonl");
    let saved = saved.to_str().expect("UTF-8 path");
    let run = read_only(&hunt, &["export", "--salvage", "--out", saved]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stderr.contains("Salvaged all 3 events"), "{run:#?}");

    let fresh = Hunt::empty();
    fresh.ok(&["import", saved]);
    let board = fresh.ok(&["board"]);
    assert!(
        board.contains("Sea Otters") && board.contains("100"),
        "{board}"
    );
    // The damaged store is as it was: still damaged, nothing written.
    assert_eq!(std::fs::read(&marks).expect("reads"), b"garbage");
}

#[test]
fn storage_failures_name_their_cause_and_retry_only_where_it_helps() {
    let hunt = Hunt::empty();
    let file = hunt.scratch("a-file");
    std::fs::write(&file, "not a store").expect("written");
    let hackathon = sample("hackathon.toml");
    let hackathon = hackathon.to_str().expect("UTF-8 path");
    for args in [vec!["board"], vec!["init", hackathon]] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hunt"));
        command.arg("--data").arg(&file).args(&args);
        let run = Run::from(command.output().expect("runs"));
        run.fails(3, "it is a file, not a directory")
            .fails(3, "--data must name a store's directory");
        assert!(!run.stderr.contains("retrying"), "{run:#?}");
    }

    let mount = hunt.scratch("full");
    std::fs::create_dir(&mount).expect("created");
    let run = run_in_namespace(
        DISK_FULL,
        &mount,
        &mount.join("store"),
        &["init", hackathon],
    );
    run.fails(3, "No space left on device")
        .fails(3, "the disk is full: free some space, then retry");
    assert!(!run.stderr.contains("retrying may help"), "{run:#?}");
}

//! The README's CLI walk-through runs as written, top to bottom, in a fresh directory: each
//! line of its `sh` block is run by `sh` with `hunt` being this build's binary, and must
//! succeed.

use std::path::Path;
use std::process::Command;

use crate::Run;

/// The commands of the README's "The `hunt` CLI" block, comments and continuation lines
/// (those that are only a comment) removed.
fn walk_through() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("## The `hunt` CLI")
        .expect("the README has a CLI section");
    let block = &readme[start..];
    let open = block
        .find("```sh\n")
        .expect("the CLI section has an sh block")
        + "```sh\n".len();
    let close = block[open..].find("```").expect("the sh block ends") + open;
    block[open..close]
        .lines()
        .map(|line| match line.find(" # ") {
            Some(comment) => &line[..comment],
            None => line,
        })
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_walk_through_runs_as_written() {
    let lines = walk_through();
    assert!(
        lines.len() >= 10,
        "the walk-through was not found: {lines:?}"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    // `hunt` on the PATH is this build's binary; `examples/` is the repository's.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("a bin directory");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hunt"), bin.join("hunt")).expect("symlink");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("a work directory");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(examples, work.join("examples")).expect("symlink");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in lines.iter().filter(|l| !l.starts_with("cargo install")) {
        let run = Run::from(
            Command::new("sh")
                .args(["-c", line])
                .current_dir(&work)
                .env("PATH", &path)
                .env_remove("HUNT_SECRET")
                .env_remove("HUNT_STORE")
                .env_remove("DATABASE_URL")
                .env("NO_COLOR", "1")
                .output()
                .expect("sh runs"),
        );
        assert_eq!(run.code, 0, "README line `{line}` failed: {run:#?}");
        if line.contains(" hint ") {
            assert!(run.stdout.contains("if you solve it"), "{line}: {run:#?}");
        }
    }
}

//! Integration tests of the `hunt` binary: each runs the built binary on a temporary store and
//! checks what users rely on (exit codes, key words, files written), not whole outputs.
//!
//! The tests of the main flows run once on each store ([`on_each_store!`]): on a temporary
//! sled directory, and on a fresh schema of the PostgreSQL server `HUNT_PG_URL` names
//! (`postgres.rs`), which must answer.

/// Runs each test `fn NAME(store: Store)` listed once on each store, as the tests
/// `NAME::sled` and `NAME::postgres`, so a failure names its store and both always run.
macro_rules! on_each_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sled() {
                super::$name($crate::Store::Sled)
            }

            #[test]
            fn postgres() {
                super::$name($crate::Store::Postgres)
            }
        }
    )*};
}

mod admin;
mod board;
mod browser;
mod check;
mod demo;
mod graph;
mod init;
mod log;
mod postgres;
mod readme;
mod rules;
mod seal;
mod serve;
mod stores;
mod submit;
mod team;
mod transfer;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::mpsc;

use tempfile::TempDir;

use crate::postgres::Schema;

/// Inside the sample hackathon hunt's window.
pub const DURING: &str = "2026-11-28T10:00:00Z";

/// The path of a sample hunt in `examples/hunts/`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("hunts")
        .join(name)
}

/// The lines `child` prints on its piped standard output, as they come, from a thread of
/// their own: receive them with a timeout.
pub fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("standard output is piped");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            // Killed by a signal counts as a failure distinct from every exit code.
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts a failure with `code`, one `error:` line first on stderr, and no panic.
    #[track_caller]
    pub fn fails(&self, code: i32, words: &str) -> &Self {
        assert_eq!(self.code, code, "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        assert!(self.stderr.contains(words), "{words:?} not in {self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }
}

/// The store a test runs the binary on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// A sled directory (`--data`), in a temporary directory.
    Sled,
    /// A fresh schema on the test server (`--store URL --schema NAME`), dropped afterwards.
    Postgres,
}

/// The binary, with a temporary directory and a store: a sled directory in it, or a
/// PostgreSQL schema of its own.
#[derive(Debug)]
pub struct Hunt {
    dir: TempDir,
    /// The PostgreSQL schema, for [`Store::Postgres`].
    schema: Option<Schema>,
}

impl Hunt {
    /// An empty sled store (nothing in its directory yet).
    pub fn empty() -> Self {
        Self::empty_on(Store::Sled)
    }

    /// An empty store of the kind `store` (for PostgreSQL, a schema not yet created).
    pub fn empty_on(store: Store) -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            schema: (store == Store::Postgres).then(Schema::fresh),
        }
    }

    /// A sled store with the sample hackathon hunt loaded.
    pub fn hackathon() -> Self {
        Self::hackathon_on(Store::Sled)
    }

    /// A store of the kind `store` with the sample hackathon hunt loaded.
    pub fn hackathon_on(store: Store) -> Self {
        let hunt = Self::empty_on(store);
        hunt.ok(&[
            "init",
            sample("hackathon.toml").to_str().expect("UTF-8 path"),
        ]);
        hunt
    }

    /// A sled store with the hackathon hunt and two teams, "Sea Otters" (division Students)
    /// and "Null Pointers".
    pub fn with_teams() -> Self {
        Self::with_teams_on(Store::Sled)
    }

    /// [`Hunt::with_teams`] on a store of the kind `store`.
    pub fn with_teams_on(store: Store) -> Self {
        let hunt = Self::hackathon_on(store);
        hunt.ok(&[
            "team",
            "add",
            "Sea Otters",
            "--division",
            "Students",
            "--at",
            DURING,
        ]);
        hunt.ok(&["team", "add", "Null Pointers", "--at", DURING]);
        hunt
    }

    /// The PostgreSQL schema of the store, if it is one.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    /// The store's directory.
    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    /// The directory holding the store, for other files of a test.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A command for the binary on this store: `--data DIR/store`, or `--store URL --schema
    /// NAME`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hunt"));
        match &self.schema {
            None => command.arg("--data").arg(self.data().join("store")),
            Some(schema) => command.args(["--store", &postgres::url(), "--schema", schema.name()]),
        };
        command
            .args(args)
            .env_remove("HUNT_SECRET")
            .env_remove("HUNT_STORE")
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1");
        command
    }

    /// Runs the binary on this store.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("the hunt binary runs"))
    }

    /// Runs the binary and asserts success; returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        let on = self.schema.as_ref().map_or(String::new(), |schema| {
            format!(
                " on PostgreSQL at {}, schema {} (HUNT_PG_URL must name a running server)",
                postgres::url(),
                schema.name()
            )
        });
        assert_eq!(run.code, 0, "hunt {args:?}{on}: {run:#?}");
        run.stdout
    }

    /// Submits at [`DURING`] and returns the verdict line.
    #[track_caller]
    pub fn submit(&self, team: &str, challenge: &str, answer: &str) -> String {
        self.ok(&["submit", team, challenge, answer, "--at", DURING])
    }
}

//! Child processes: this test binary, run again to play a role named by an environment
//! variable.
//!
//! The locking and crash tests need a second process that holds a store, or one to kill.
//! Rather than a helper binary (which the crate would then ship), they run this binary again
//! as `--exact child::entry` with [`ROLE`] set, and [`entry`] plays the role. Run by
//! `cargo test` without the variable, [`entry`] has nothing to do and passes at once.
//!
//! A child talks to its parent in lines on stdout; libtest's own lines ("running 1 test")
//! are ignored by the parent, which only looks at lines starting with a word it expects.

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The environment variable naming the role a child plays.
pub const ROLE: &str = "HUNT_SLED_TEST_CHILD";

/// The environment variable holding the store directory a child works on.
pub const DIR: &str = "HUNT_SLED_TEST_DIR";

/// Plays the role named by [`ROLE`], if any.
#[test]
fn entry() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let dir = std::env::var(DIR).expect("a child is given its directory");
    match role.as_str() {
        "hold-store" => crate::locking::hold_store(dir.as_ref()),
        "hold-sled" => crate::locking::hold_sled(dir.as_ref()),
        "crash" => crate::crash::child(dir.as_ref()),
        other => panic!("unknown child role {other:?}"),
    }
}

/// A running child and the lines it printed.
#[derive(Debug)]
pub struct Child {
    process: std::process::Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Lines read while waiting for another, kept for [`Child::finish`].
    skipped: Vec<String>,
    reader: Option<JoinHandle<()>>,
}

impl Child {
    /// Starts this binary as a child playing `role` on `dir`, with extra environment.
    pub fn spawn(role: &str, dir: &std::path::Path, env: &[(&str, String)]) -> Self {
        let exe = std::env::current_exe().expect("the test binary knows its path");
        let mut process = Command::new(exe)
            .args([
                "--exact",
                "child::entry",
                "--nocapture",
                "--quiet",
                "--test-threads=1",
            ])
            .env(ROLE, role)
            .env(DIR, dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test binary starts again as a child");
        let stdout = process.stdout.take().expect("stdout is piped");
        let (send, lines) = channel();
        // A thread of its own, so the parent can wait for a line with a timeout and keep
        // reading while it decides when to kill.
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            stdin: process.stdin.take(),
            process,
            lines,
            skipped: Vec::new(),
            reader: Some(reader),
        }
    }

    /// Waits up to `timeout` for a line starting with `word`, skipping others; returns it.
    pub fn wait_for(&mut self, word: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(word) => return Some(line),
                Ok(line) => self.skipped.push(line),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Sends one line to the child's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("the child reads its stdin");
        stdin.flush().expect("the child reads its stdin");
    }

    /// Closes the child's stdin, which tells a holding child to finish.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Kills the child with SIGKILL, waits for it, and returns its status and every line it
    /// printed that [`Child::wait_for`] did not return.
    pub fn kill(&mut self) -> (ExitStatus, Vec<String>) {
        // It may have exited by itself already (a failure the caller sees in the status).
        let _ = self.process.kill();
        self.finish()
    }

    /// Waits for the child to exit by itself; returns its status and every line it printed
    /// that [`Child::wait_for`] did not return.
    pub fn finish(&mut self) -> (ExitStatus, Vec<String>) {
        self.stdin = None;
        let status = self.process.wait().expect("the child can be waited for");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader thread does not panic");
        }
        let mut lines = std::mem::take(&mut self.skipped);
        lines.extend(self.lines.try_iter());
        (status, lines)
    }
}

impl Drop for Child {
    /// A test that fails while its child runs must not leave the child behind.
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

//! `hunt`: check, load and run treasure hunts, CTFs and puzzle hunts from the command line, on
//! the embedded sled store, and simulate a whole hunt with `hunt demo`.
//!
//! Each command lives in its own module; `cli.rs` ties them into one clap parser, `failure.rs`
//! turns every failure into one line on stderr and an exit code, `store.rs` opens the store and
//! picks the hunt, and `render.rs` says verdicts and times the way people read them.

mod admin;
mod board;
mod check;
mod cli;
mod clock;
mod demo;
mod export;
mod failure;
mod graph;
mod hint;
mod import;
mod init;
mod log;
mod output;
mod render;
mod rng;
mod seal;
mod serve;
mod store;
mod submit;
mod team;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::failure::Failure;

fn main() -> ExitCode {
    // Usage mistakes and `--help` exit here, with clap's own messages and exit codes (2, 0).
    let cli = Cli::parse();
    // The service uses every core; the other commands do one thing at a time. Both need
    // I/O (the PostgreSQL store's sockets, the service's listener) and time.
    let mut builder = if matches!(cli.command, cli::Command::Serve(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            return Failure::User(format!("cannot start the async runtime: {error}")).report();
        }
    };
    let mut out = std::io::stdout().lock();
    let result = runtime.block_on(cli::run(cli, &mut out));
    let result = result.and_then(|()| out.flush().map_err(Failure::Output));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

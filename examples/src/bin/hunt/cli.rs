//! The command line: global flags, the list of commands, and dispatch to their modules.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::failure::Failure;
use crate::store::{Postgres, Selection};
use crate::{
    admin, board, check, demo, export, graph, hint, import, init, log, seal, serve, submit, team,
};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (any verdict of `submit` or reply of `hint`, right or wrong, is a success)
  1  a mistake in what was asked or given: invalid hunt file, unknown team, hunt,
     challenge, hint or division, a taken name, a refused `init` or `import`
  2  a usage mistake: unknown command or flag, missing or malformed argument
  3  the store failed: in use by another process, damaged, or an I/O error

Environment:
  HUNT_SECRET   the secret that sealed answers were sealed with (only hunts with sealed
                answers need it; `hunt seal` seals with it)
  HUNT_STORE    a PostgreSQL URL to use instead of a sled directory (as --store)
  DATABASE_URL  read as --store when neither --store, HUNT_STORE nor --data is given";

/// Run treasure hunts, CTFs and puzzle hunts: check a hunt file, load it, register teams,
/// judge submissions and show the standings, on a local store.
#[derive(Debug, Parser)]
#[command(name = "hunt", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The store's directory (a sled store, created by `init` or `import`)
    /// [default: ./hunt-data; for `demo`: a fresh temporary directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// A PostgreSQL store instead of a sled directory: postgres://user@host:port/database,
    /// optionally with ?schema=NAME [env: HUNT_STORE, then DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,

    /// The PostgreSQL schema holding the store [default: the URL's ?schema=, or hunt]
    #[arg(long, global = true, value_name = "NAME")]
    pub schema: Option<String>,

    /// The hunt to act on; needed only when the store holds several. `hunt serve` takes it
    /// several times, to serve several hunts (it serves every hunt of the store without it)
    #[arg(long, global = true, value_name = "ID", action = clap::ArgAction::Append)]
    pub hunt: Vec<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a hunt definition and print every problem with its line and column
    Check(check::Args),
    /// Load a hunt definition into the store
    Init(init::Args),
    /// Turn a hunt file's plain answers into sealed digests (with HUNT_SECRET)
    Seal(seal::Args),
    /// Register, list and inspect teams
    #[command(subcommand)]
    Team(team::Command),
    /// Submit an answer on behalf of a team and print the verdict
    Submit(submit::Args),
    /// Take a hint on behalf of a team and print it with its cost
    Hint(hint::Args),
    /// Organizer commands: reveal the frozen board, grant attempts, adjust points, hide teams
    #[command(subcommand)]
    Admin(admin::Command),
    /// Show the standings
    Board(board::Args),
    /// Show the event log, or follow it live
    Log(log::Args),
    /// Draw the top 10 teams' scores over time as an SVG picture
    Graph(graph::Args),
    /// Write the whole hunt (definition and event log) as JSON lines
    Export(export::Args),
    /// Load a hunt written by `hunt export` into the store
    Import(import::Args),
    /// Serve the hunt live: team pages, the live board, a JSON API and event streams
    Serve(serve::Args),
    /// Simulate a whole hunt on the sample hunt, then show the final board and the score graph
    Demo(demo::Args),
}

/// Runs the parsed command, writing its output to `out`.
pub async fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let postgres = Postgres::choose(cli.store, cli.schema, cli.data.as_deref())?;
    if cli.hunt.len() > 1 && !matches!(cli.command, Command::Serve(_)) {
        return Err(Failure::user(format!(
            "--hunt is given {} times: only `hunt serve` serves several hunts at once",
            cli.hunt.len()
        )));
    }
    let selection = Selection {
        data: cli.data,
        hunt: cli.hunt.first().cloned(),
        hunts: cli.hunt,
        postgres,
    };
    match cli.command {
        Command::Check(args) => check::run(&args, out),
        Command::Init(args) => init::run(&selection, &args, out).await,
        Command::Seal(args) => seal::run(&args, out),
        Command::Team(command) => team::run(&selection, command, out).await,
        Command::Submit(args) => submit::run(&selection, &args, out).await,
        Command::Hint(args) => hint::run(&selection, &args, out).await,
        Command::Admin(command) => admin::run(&selection, command, out).await,
        Command::Board(args) => board::run(&selection, &args, out).await,
        Command::Log(args) => log::run(&selection, &args, out).await,
        Command::Graph(args) => graph::run(&selection, &args, out).await,
        Command::Export(args) => export::run(&selection, &args, out).await,
        Command::Import(args) => import::run(&selection, &args, out).await,
        Command::Demo(args) => demo::run(&selection, &args, out).await,
        Command::Serve(args) => serve::run(&selection, &args, out).await,
    }
}

//! Why a command failed, said in one line on stderr, and the exit code that goes with it.
//!
//! Exit codes (also in `hunt --help` and the README):
//! - 0: success (a wrong answer is a verdict, not a failure: `submit` exits 0 on any verdict);
//! - 1: a mistake in what was asked or given: an invalid hunt file, an unknown team or hunt,
//!   a name already taken, a refused `init` or `import`;
//! - 2: a usage mistake caught by the argument parser (clap's own code);
//! - 3: the store failed: held by another process, damaged, or an I/O error.

use std::error::Error;
use std::io::{self, Write};
use std::process::ExitCode;

use hunt_core::definition::DefinitionError;
use hunt_core::engine::EngineError;
use hunt_core::state::{CommandError, SecretError};
use hunt_core::store::StoreError;

/// Exit code of user and domain mistakes.
pub const EXIT_USER: u8 = 1;
/// Exit code of store failures.
pub const EXIT_STORE: u8 = 3;

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// A mistake in what the user asked or gave (exit 1).
    User(String),
    /// A hunt definition with problems (exit 1), reported with `origin:line:column` each.
    Definition {
        /// Where the definition came from, usually its file name.
        origin: String,
        /// Every problem found.
        error: DefinitionError,
    },
    /// The store failed (exit 3).
    Store(String),
    /// Writing to stdout or a file failed; a closed pipe (`hunt log | head`) is not reported.
    Output(io::Error),
}

impl Failure {
    /// A user mistake.
    pub fn user(message: impl Into<String>) -> Self {
        Self::User(message.into())
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) | Self::Definition { .. } | Self::Output(_) => EXIT_USER,
            Self::Store(_) => EXIT_STORE,
        }
    }

    /// Prints the failure to stderr and returns the exit code.
    pub fn report(self) -> ExitCode {
        let mut err = io::stderr().lock();
        // Nothing sensible is left to do if stderr itself is gone.
        let _ = match &self {
            Self::User(message) | Self::Store(message) => writeln!(err, "error: {message}"),
            Self::Definition { origin, error } => {
                let count = error.total();
                let plural = if count == 1 { "problem" } else { "problems" };
                let _ = writeln!(
                    err,
                    "error: {origin} is not a valid hunt definition ({count} {plural}):"
                );
                write_problems(&mut err, origin, error)
            }
            Self::Output(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                return ExitCode::SUCCESS;
            }
            Self::Output(error) => writeln!(err, "error: cannot write the output: {error}"),
        };
        ExitCode::from(self.exit_code())
    }
}

/// One line per problem, like a compiler: `origin:line:column: message`.
pub fn write_problems(
    out: &mut dyn Write,
    origin: &str,
    error: &DefinitionError,
) -> io::Result<()> {
    for problem in &error.problems {
        match problem.location {
            Some(at) => writeln!(
                out,
                "{origin}:{}:{}: {}",
                at.line, at.column, problem.message
            )?,
            None => writeln!(out, "{origin}: {}", problem.message)?,
        }
    }
    if let Some(line) = error.more_line() {
        writeln!(out, "{origin}: {line}")?;
    }
    Ok(())
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Output(error)
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(store_message(&error))
    }
}

/// What to do about a damaged store, after the core's own advice to restore a backup.
const SALVAGE: &str = "or save what still reads with `hunt export --salvage --out hunt.jsonl` \
    (same --data: it reads a copy and writes nothing to the store), then load that into a new \
    store with `hunt --data NEW-DIR import hunt.jsonl`";

/// Why the store failed, with its cause (the I/O error and its path), and what may help:
/// "retrying may help" only where it may.
pub fn store_message(error: &StoreError) -> String {
    match error {
        StoreError::Unavailable { source } => {
            let advice = match io_kind(error) {
                Some(
                    io::ErrorKind::StorageFull
                    | io::ErrorKind::QuotaExceeded
                    | io::ErrorKind::FileTooLarge,
                ) => "the disk is full: free some space, then retry",
                Some(io::ErrorKind::ReadOnlyFilesystem) => {
                    "the store cannot be written there: commands that only read (board, log, \
                     export, graph, team list, team show) work on it; to record anything, copy \
                     the directory to writable storage and point --data at the copy"
                }
                Some(io::ErrorKind::PermissionDenied) => {
                    "this user may not use the store's files: check the directory's owner and \
                     permissions"
                }
                Some(
                    io::ErrorKind::NotADirectory
                    | io::ErrorKind::IsADirectory
                    | io::ErrorKind::AlreadyExists,
                ) => "--data must name a store's directory",
                Some(io::ErrorKind::NotFound) => "check the path given with --data",
                _ => "retrying may help",
            };
            format!("the store failed: {}; {advice}", chain(source.as_ref()))
        }
        StoreError::Corruption { .. } => format!("{error}; {SALVAGE}"),
        other => other.to_string(),
    }
}

/// The kind of the first I/O error behind a store failure, if one is there.
pub fn io_kind(error: &StoreError) -> Option<io::ErrorKind> {
    let mut next: Option<&(dyn Error + 'static)> = error.source();
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        next = error.source();
    }
    None
}

/// An error and its sources, each said once (wrappers often repeat their source's text).
fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(error) = next {
        let more = error.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        next = error.source();
    }
    text
}

impl From<CommandError> for Failure {
    fn from(error: CommandError) -> Self {
        Self::User(error.to_string())
    }
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Store(store) => Self::Store(store_message(&store)),
            EngineError::Command(command) => command.into(),
            EngineError::Definition { hunt, error } => Self::Definition {
                origin: hunt.map_or_else(
                    || "the definition".to_owned(),
                    |hunt| format!("the stored definition of hunt `{hunt}`"),
                ),
                error,
            },
            EngineError::Secret(SecretError::Mismatch(_)) => Self::User(format!(
                "{error}: the environment variable {} holds another secret; set it to the one \
                 the hunt was sealed with",
                crate::store::SECRET_VAR
            )),
            EngineError::Secret(_) => Self::User(format!(
                "{error}: set the environment variable {}",
                crate::store::SECRET_VAR
            )),
            EngineError::Replay(replay) => Self::Store(format!(
                "the stored log does not fit the hunt's definition: {replay}"
            )),
            other @ EngineError::UnknownHunt(_) => Self::User(other.to_string()),
            other => Self::Store(other.to_string()),
        }
    }
}

//! Why a command failed, said in one line on stderr, and the exit code that goes with it.
//!
//! Exit codes (also in `hunt --help` and the README):
//! - 0: success (a wrong answer is a verdict, not a failure: `submit` exits 0 on any verdict);
//! - 1: a mistake in what was asked or given: an invalid hunt file, an unknown team or hunt,
//!   a name already taken, a refused `init` or `import`;
//! - 2: a usage mistake caught by the argument parser (clap's own code);
//! - 3: the store failed: held by another process, damaged, or an I/O error.

use std::io::{self, Write};
use std::process::ExitCode;

use hunt_core::definition::DefinitionError;
use hunt_core::engine::EngineError;
use hunt_core::state::CommandError;
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
                let count = error.problems.len();
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
    Ok(())
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Output(error)
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(error.to_string())
    }
}

impl From<CommandError> for Failure {
    fn from(error: CommandError) -> Self {
        Self::User(error.to_string())
    }
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Store(store) => Self::Store(store.to_string()),
            EngineError::Command(command) => command.into(),
            EngineError::Definition { hunt, error } => Self::Definition {
                origin: hunt.map_or_else(
                    || "the definition".to_owned(),
                    |hunt| format!("the stored definition of hunt `{hunt}`"),
                ),
                error,
            },
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

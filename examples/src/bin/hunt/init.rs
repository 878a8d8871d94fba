//! `hunt init FILE`: loads a hunt definition into the store.
//!
//! A hunt already in the store is replaced only with `--replace`, and even then only if its
//! whole event log replays under the new definition: every check runs before anything is
//! written, so a refused `init` leaves the store as it was.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::state::{HuntState, ReplayFailure};

use crate::check::load_file;
use crate::failure::Failure;
use crate::store::{self, Create, Selection};

/// Arguments of `hunt init`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The hunt's id comes from the file. A store can hold several hunts; \
    other commands then need --hunt ID."
)]
pub struct Args {
    /// The hunt definition (TOML), `-` for standard input; checked as by `hunt check` first
    pub file: PathBuf,

    /// Replace the definition of a hunt already in the store. Its event log is kept, so the
    /// new definition must fit it (every challenge the log names must still exist)
    #[arg(long)]
    pub replace: bool,
}

/// Runs `hunt init`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let (source, hunt) = load_file(&args.file)?;
    if let Some(wanted) = selection.hunt.as_deref().filter(|w| *w != hunt.id.as_str()) {
        return Err(Failure::user(format!(
            "{} defines hunt `{}`, not `{wanted}` (given with --hunt)",
            crate::check::origin(&args.file),
            hunt.id
        )));
    }
    let dir = selection.data_dir();
    let store = selection.open_store(Create::IfMissing).await?;
    let id = hunt.id.clone();
    let existing = store.load_definition(&id).await?;
    let log = store::read_log(&*store, &id, 0).await?;
    if existing.is_some() && !args.replace {
        return Err(Failure::user(format!(
            "the store at {} already has hunt `{id}` ({} events in its log): pass --replace \
             to replace its definition (the log is kept)",
            dir.display(),
            log.len()
        )));
    }
    if existing.as_deref() == Some(source.as_str()) {
        writeln!(out, "Hunt `{id}` in {} is unchanged", dir.display())?;
        return Ok(());
    }
    let title = hunt.title.clone();
    let (challenges, start, end) = (hunt.challenges.len(), hunt.start, hunt.end);
    if !log.is_empty() {
        HuntState::replay(Arc::new(hunt), store::secret(), &log).map_err(|failure| {
            Failure::user(match failure {
                ReplayFailure::Replay(error) => format!(
                    "{} does not fit the {} events already recorded for hunt `{id}`: {error}; \
                     nothing was changed",
                    crate::check::origin(&args.file),
                    log.len()
                ),
                other => format!("{other}: set {}; nothing was changed", store::SECRET_VAR),
            })
        })?;
    }
    let replaces = existing.as_deref().map(hunt_core::store::definition_digest);
    store.save_definition(&id, &source, replaces).await?;
    if existing.is_some() {
        writeln!(
            out,
            "Replaced the definition of hunt `{id}` \"{title}\" in {}; its {} recorded events \
             replay under it",
            dir.display(),
            log.len()
        )?;
    } else {
        writeln!(
            out,
            "Loaded hunt `{id}` \"{title}\" into {}: {challenges} challenges, open from \
             {start} to {end}",
            dir.display()
        )?;
    }
    Ok(())
}

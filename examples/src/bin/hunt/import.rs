//! `hunt import FILE`: loads an export (see `export.rs`) into a store that does not have the
//! hunt yet.
//!
//! Everything is checked before anything is written: the header, the definition (compiled as
//! by `hunt check`), every event line, the positions, and a full replay of the log under the
//! definition. Then the events are appended in one atomic append, and the definition saved
//! last, so the hunt appears only once it is complete.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::state::{HuntState, ReplayFailure};
use hunt_core::{Event, Recorded};

use crate::export::{FORMAT, Header, VERSION};
use crate::failure::Failure;
use crate::store::{self, Create, Selection};

/// Arguments of `hunt import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The hunt must not exist in the store yet (an orphan log left by a \
    failed import counts as existing). Nothing is written unless the whole file is valid."
)]
pub struct Args {
    /// A file written by `hunt export`
    pub file: PathBuf,
}

/// Runs `hunt import`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let file = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure::user(format!("cannot read {file}: {e}")))?;
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    let bad = |line: usize, what: String| Failure::user(format!("{file}:{line}: {what}"));

    let Some((_, first)) = lines.next() else {
        return Err(bad(1, "empty file: not a hunt export".to_owned()));
    };
    let header: Header = serde_json::from_str(first)
        .map_err(|e| bad(1, format!("not a hunt export header: {e}")))?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(bad(
            1,
            format!(
                "format {:?} version {}; this hunt reads {FORMAT:?} version {VERSION}",
                header.format, header.version
            ),
        ));
    }
    let hunt =
        hunt_core::definition::load(&header.definition).map_err(|error| Failure::Definition {
            origin: format!("{file} (the definition on line 1)"),
            error,
        })?;
    if hunt.id.as_str() != header.hunt {
        return Err(bad(
            1,
            format!(
                "the header names hunt `{}` but the definition is hunt `{}`",
                header.hunt, hunt.id
            ),
        ));
    }
    if let Some(wanted) = selection.hunt.as_deref().filter(|w| *w != hunt.id.as_str()) {
        return Err(Failure::user(format!(
            "{file} holds hunt `{}`, not `{wanted}` (given with --hunt)",
            hunt.id
        )));
    }

    let mut log: Vec<Recorded> = Vec::new();
    for (line, text) in lines {
        let recorded: Recorded = serde_json::from_str(text)
            .map_err(|e| bad(line, format!("not an event record: {e}")))?;
        let expected = log.len() as u64 + 1;
        if recorded.seq != expected {
            return Err(bad(
                line,
                format!("event at position {}, expected {expected}", recorded.seq),
            ));
        }
        log.push(recorded);
    }
    if log.len() as u64 != header.events {
        return Err(bad(
            1,
            format!(
                "the header announces {} events but the file holds {} (truncated?)",
                header.events,
                log.len()
            ),
        ));
    }
    let id = hunt.id.clone();
    let title = hunt.title.clone();
    let state = HuntState::replay(Arc::new(hunt), store::secret(), &log).map_err(|failure| {
        Failure::user(match failure {
            ReplayFailure::Replay(error) => {
                format!("{file}: the events do not replay under the definition: {error}")
            }
            other => format!("{other}: set {}", store::SECRET_VAR),
        })
    })?;

    let dir = selection.data_dir();
    let store = selection.open_store(Create::IfMissing).await?;
    let defined = store.load_definition(&id).await?.is_some();
    if defined || !store.read(&id, 0, 1).await?.is_empty() {
        return Err(Failure::user(format!(
            "the store at {} already has hunt `{id}`: import into another store (--data DIR)",
            dir.display()
        )));
    }
    let events: Vec<Event> = log.into_iter().map(|recorded| recorded.event).collect();
    if !events.is_empty() {
        store.append(&id, 0, &events).await?;
    }
    store.save_definition(&id, &header.definition, None).await?;
    writeln!(
        out,
        "Imported hunt `{id}` \"{title}\" into {}: {} events, {} teams",
        dir.display(),
        events.len(),
        state.team_count()
    )?;
    Ok(())
}

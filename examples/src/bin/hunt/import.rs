//! `hunt import FILE`: loads an export (see `export.rs`) into a store that does not have the
//! hunt yet.
//!
//! Everything is checked before anything is written: the header, the definition (compiled as
//! by `hunt check`), every event line, the positions, and that the log is what the engine
//! decides for the commands it records (each event turned back into its command, decided at
//! its time, gives that very event). Then the commands go through the engine's batch entry
//! (`Engine::execute_batch`), so the engine's rules (dense team ids in order, keys) hold for
//! the imported hunt as for a live one, in store writes of a bounded size, with a progress bar
//! on a terminal.
//!
//! A log that the engine would not record again (written under an earlier version of the
//! definition, since `hunt init` may replace a definition the log still replays under) is
//! checked by a full replay instead, and appended as recorded, in writes of the same bound,
//! with the definition saved last so that the hunt appears only once it is complete.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::engine::{Batched, MAX_WRITE_COMMANDS};
use hunt_core::state::{HuntState, ReplayFailure};
use hunt_core::{Command, Engine, Event, Hunt, Recorded, Store};
use indicatif::{ProgressBar, ProgressStyle};

use crate::export::{FORMAT, Header, VERSION};
use crate::failure::Failure;
use crate::store::{self, Create, Selection};

/// Arguments of `hunt import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The hunt must not exist in the store yet (an orphan log left by a \
    failed import counts as existing). Nothing is written unless the whole file is valid. \
    The log is written in bounded writes, so a store failing part way leaves part of the \
    hunt: import again into another store."
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
    let hunt = Arc::new(hunt);
    let events: Vec<Event> = log.into_iter().map(|recorded| recorded.event).collect();
    let decided = redecided(&hunt, &events)?;
    let teams = match &decided {
        Some((state, _)) => state.team_count(),
        None => {
            let log = events.iter().zip(1..).map(|(event, seq)| Recorded {
                seq,
                event: event.clone(),
            });
            let log: Vec<Recorded> = log.collect();
            HuntState::replay(hunt.clone(), store::secret(), &log)
                .map_err(|failure| replay_failed(&file, failure))?
                .team_count()
        }
    };

    let dir = selection.data_dir();
    let store = selection.open_store(Create::IfMissing).await?;
    let defined = store.load_definition(&id).await?.is_some();
    if defined || !store.read(&id, 0, 1).await?.is_empty() {
        return Err(Failure::user(format!(
            "the store at {} already has hunt `{id}`: import into another store (--data DIR)",
            dir.display()
        )));
    }
    let bar = progress_bar(events.len() as u64);
    if let Some((_, commands)) = decided {
        let engine = Engine::create(store, &header.definition, store::secret()).await?;
        import_commands(&engine, commands, &bar).await?;
        if events.len() as u64 >= store::CHECKPOINT_AFTER {
            // The next command opens from it instead of replaying the whole import.
            let _ = engine.checkpoint().await;
        }
    } else {
        append_as_recorded(&*store, &id, &events, &bar).await?;
        store.save_definition(&id, &header.definition, None).await?;
    }
    bar.finish_and_clear();
    writeln!(
        out,
        "Imported hunt `{id}` \"{title}\" into {}: {} events, {teams} teams",
        dir.display(),
        events.len(),
    )?;
    Ok(())
}

/// Commands per call of the engine's batch entry: several writes' worth, so that the
/// progress bar moves often while each call still fills whole writes.
const COMMANDS_PER_CALL: usize = 10 * MAX_WRITE_COMMANDS;

/// The command that recorded `event`, at the event's time, with its id; `None` for a kind
/// of event this build cannot ask the engine for.
fn command_of(event: &Event) -> Option<Batched> {
    let command = match event.clone() {
        Event::TeamRegistered { name, division, .. } => Command::Register { name, division },
        Event::SubmissionJudged {
            team,
            challenge,
            key,
            answer,
            ..
        } => Command::Submit {
            team,
            challenge,
            answer,
            key,
        },
        Event::PointsAdjusted {
            team,
            delta,
            reason,
            ..
        } => Command::Adjust {
            team,
            delta,
            reason,
        },
        Event::TeamHidden { team, hidden, .. } => Command::SetHidden { team, hidden },
        Event::HintTaken {
            team,
            challenge,
            hint,
            ..
        } => Command::TakeHint {
            team,
            challenge,
            hint,
        },
        Event::AttemptsGranted {
            team,
            challenge,
            extra,
            ..
        } => Command::GrantAttempts {
            team,
            challenge,
            extra,
        },
        // It was revealed, so it may be revealed again, whether or not before the freeze.
        Event::BoardRevealed { .. } => Command::RevealBoard { force: true },
        _ => return None,
    };
    Some(match event.key() {
        Some(key) if !matches!(command, Command::Submit { .. }) => {
            Batched::with_key(command, key, event.at())
        }
        _ => Batched::new(command, event.at()),
    })
}

/// The commands of `events`, and the state after deciding them in order, if each gives back
/// exactly its event; `None` if one does not (the log is then checked by a replay).
fn redecided(
    hunt: &Arc<Hunt>,
    events: &[Event],
) -> Result<Option<(HuntState, Vec<Batched>)>, Failure> {
    let mut state = HuntState::new(hunt.clone(), store::secret())
        .map_err(|e| Failure::user(format!("{e}: set {}", store::SECRET_VAR)))?;
    let mut commands = Vec::with_capacity(events.len());
    for event in events {
        let Some(item) = command_of(event) else {
            return Ok(None);
        };
        let decision = match item.key {
            Some(key) => state.decide_with_key(&item.command, key, item.now),
            None => state.decide(&item.command, item.now),
        };
        match decision {
            Ok(decision) if decision.events.len() == 1 && decision.events[0] == *event => {
                if state.apply_all(&decision.events).is_err() {
                    return Ok(None);
                }
            }
            _ => return Ok(None),
        }
        commands.push(item);
    }
    Ok(Some((state, commands)))
}

/// Sends `commands` through the engine's batch entry, in order.
async fn import_commands(
    engine: &Engine,
    commands: Vec<Batched>,
    bar: &ProgressBar,
) -> Result<(), Failure> {
    let mut commands = commands.into_iter().peekable();
    while commands.peek().is_some() {
        let chunk: Vec<Batched> = commands.by_ref().take(COMMANDS_PER_CALL).collect();
        let len = chunk.len() as u64;
        let results = engine.execute_batch(chunk).await;
        for result in results {
            // Decided the same way before anything was written: only the store can fail.
            result?;
        }
        bar.inc(len);
    }
    Ok(())
}

/// Appends `events` as recorded to the empty log of `hunt`, in writes of at most
/// [`MAX_WRITE_COMMANDS`] events.
async fn append_as_recorded(
    store: &dyn Store,
    hunt: &hunt_core::HuntId,
    events: &[Event],
    bar: &ProgressBar,
) -> Result<(), Failure> {
    let mut end = 0;
    for chunk in events.chunks(MAX_WRITE_COMMANDS) {
        end = store.append(hunt, end, chunk).await?;
        bar.inc(chunk.len() as u64);
    }
    Ok(())
}

/// Why the log of `file` does not replay, as the user is told.
fn replay_failed(file: &str, failure: ReplayFailure) -> Failure {
    Failure::user(match failure {
        ReplayFailure::Replay(error) => {
            format!("{file}: the events do not replay under the definition: {error}")
        }
        other => format!("{other}: set {}", store::SECRET_VAR),
    })
}

/// A progress bar over `events` events, drawn on standard error when it is a terminal.
fn progress_bar(events: u64) -> ProgressBar {
    let bar = ProgressBar::new(events);
    let style = ProgressStyle::with_template("{spinner} [{bar:32}] {pos}/{len} events  {eta}")
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

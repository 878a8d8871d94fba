//! `hunt log [--follow]`: the event log, one line per event, and a live tail.
//!
//! On PostgreSQL, which many processes share, `--follow` keeps the store open and waits for
//! the log to move ([`Store::wait_past`](hunt_core::store::Store::wait_past), `LISTEN` and
//! `NOTIFY`): a new event prints as soon as it commits, with no polling. A sled store serves
//! one process at a time, so there `--follow` does not keep it open: it opens the store
//! every [`POLL`], reads what is new and closes it again, and other `hunt` commands wait (a
//! few seconds at most) for the store while a poll holds it.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use hunt_core::store::Wait;
use hunt_core::{Event, JudgedAs, Recorded, TeamId};

use crate::failure::Failure;
use crate::render;
use crate::store::{self, Create, Selection};

/// How often `--follow` looks for new events.
const POLL: Duration = Duration::from_millis(200);

/// Arguments of `hunt log`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "With --follow on PostgreSQL, new events print as soon as they are \
    recorded by any process. On a sled directory the store is opened for a moment at each \
    poll (every 200 ms) and closed in between, so `hunt submit` and the other commands can run \
    beside it (they wait for the store while a poll holds it). Stop with Ctrl-C."
)]
pub struct Args {
    /// Keep printing new events as they are recorded
    #[arg(long, short)]
    pub follow: bool,

    /// Print each event as its JSON record instead of a sentence
    #[arg(long)]
    pub json: bool,
}

/// Runs `hunt log`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let store = selection.open_store(Create::Never).await?;
    let hunt = selection.hunt_id(&*store).await?;
    let mut seen = store::read_log(&*store, &hunt, 0).await?;
    // Kept open only where other processes can use it meanwhile.
    let shared = selection.postgres.is_some().then_some(store);
    let mut printer = Printer {
        json: args.json,
        names: HashMap::new(),
    };
    let mut last = 0;
    loop {
        for recorded in &seen {
            printer.print(recorded, out)?;
            last = recorded.seq;
        }
        out.flush()?;
        if !args.follow {
            return Ok(());
        }
        seen = match &shared {
            Some(store) => {
                if let Wait::Unsupported = store.wait_past(&hunt, last).await? {
                    tokio::time::sleep(POLL).await;
                }
                store::read_log(&**store, &hunt, last).await?
            }
            None => {
                tokio::time::sleep(POLL).await;
                // Opened and dropped at each poll, so the store is free between polls.
                let store = selection.open_store(Create::Never).await?;
                store::read_log(&*store, &hunt, last).await?
            }
        };
    }
}

/// Prints events, remembering team names as they register.
struct Printer {
    json: bool,
    names: HashMap<TeamId, String>,
}

impl Printer {
    fn print(&mut self, recorded: &Recorded, out: &mut dyn Write) -> Result<(), Failure> {
        if let Event::TeamRegistered { team, name, .. } = &recorded.event {
            self.names.insert(*team, name.clone());
        }
        if self.json {
            let line = serde_json::to_string(recorded).map_err(|e| {
                Failure::Store(format!("cannot encode event {}: {e}", recorded.seq))
            })?;
            writeln!(out, "{line}")?;
            return Ok(());
        }
        let name = |team: &TeamId| {
            self.names
                .get(team)
                .cloned()
                .unwrap_or_else(|| team.to_string())
        };
        let (at, team, what) = match &recorded.event {
            Event::TeamRegistered {
                team, division, at, ..
            } => (
                *at,
                name(team),
                match division {
                    Some(division) => format!("registered in division \"{division}\""),
                    None => "registered".to_owned(),
                },
            ),
            Event::SubmissionJudged {
                team,
                challenge,
                answer,
                judged,
                at,
                ..
            } => {
                let judged = match judged {
                    JudgedAs::Correct => "correct",
                    JudgedAs::Incorrect { .. } => "incorrect",
                    JudgedAs::Partial { .. } => "partial",
                    _ => "judged",
                };
                (*at, name(team), format!("{challenge} {answer:?}: {judged}"))
            }
            Event::PointsAdjusted {
                team,
                delta,
                reason,
                at,
                ..
            } => (*at, name(team), format!("{delta:+} points: {reason}")),
            Event::TeamHidden {
                team, hidden, at, ..
            } => (
                *at,
                name(team),
                if *hidden {
                    "hidden from the board".to_owned()
                } else {
                    "shown on the board again".to_owned()
                },
            ),
            Event::HintTaken {
                team,
                challenge,
                hint,
                at,
                ..
            } => (
                *at,
                name(team),
                format!("{challenge}: took hint \"{hint}\""),
            ),
            Event::AttemptsGranted {
                team,
                challenge,
                extra,
                at,
                ..
            } => (
                *at,
                name(team),
                format!(
                    "{challenge}: granted {extra} more {}",
                    if *extra == 1 { "attempt" } else { "attempts" }
                ),
            ),
            Event::BoardRevealed { at, .. } => (
                *at,
                "(organizers)".to_owned(),
                "revealed the final board".to_owned(),
            ),
            // Events added to the core later print as their JSON until given words here.
            other => {
                let json = serde_json::to_string(other).unwrap_or_else(|_| format!("{other:?}"));
                writeln!(out, "#{:<6} {json}", recorded.seq)?;
                return Ok(());
            }
        };
        writeln!(
            out,
            "#{:<6} {}  {team}  {what}",
            recorded.seq,
            render::time(at)
        )?;
        Ok(())
    }
}

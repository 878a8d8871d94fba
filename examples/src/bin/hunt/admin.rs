//! `hunt admin reveal | grant | adjust | hide | unhide`: what organizers do during a hunt.
//! Each is one core command, recorded in the log like everything else.

use std::io::Write;

use hunt_core::engine::EngineError;
use hunt_core::state::{CommandError, HuntState, Outcome};
use hunt_core::{Command as CoreCommand, TeamId};

use crate::clock::At;
use crate::failure::Failure;
use crate::store::Selection;
use crate::{render, submit, team};

/// The `hunt admin` commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Reveal the final board: the public board stops being frozen
    #[command(
        after_help = "Public views (`hunt board --public`, a team's place) show the \
        board as of the freeze from the freeze time on; after this they show the live board \
        again, for good. Refused before the freeze time (and in a hunt without a freeze) \
        unless --force is given. Revealing twice changes nothing."
    )]
    Reveal {
        /// Reveal even before the freeze: the public board then shows the live one for the
        /// rest of the hunt, which cannot be undone
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        at: At,
    },
    /// Grant a team N more counted wrong guesses at a challenge
    #[command(
        after_help = "For challenges with max_attempts: a team that used them up can \
        guess again. N is at least 1."
    )]
    Grant {
        /// The team's display name
        team: String,
        /// The challenge's id, as in the hunt file
        challenge: String,
        /// Extra attempts (at least 1)
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        n: u32,
        #[command(flatten)]
        at: At,
    },
    /// Award (positive DELTA) or deduct (negative DELTA) points, with a reason for the log
    #[command(
        after_help = "Example: hunt admin adjust \"Sea Otters\" -50 \"shared a flag\". \
        The reason is shown in `hunt log`."
    )]
    Adjust {
        /// The team's display name
        team: String,
        /// Points to add; negative to deduct; not zero
        #[arg(allow_negative_numbers = true)]
        delta: i64,
        /// Why, as it will read in the log
        reason: String,
        #[command(flatten)]
        at: At,
    },
    /// Hide a team from the board (its solves stop counting towards dynamic values)
    Hide {
        /// The team's display name
        team: String,
        #[command(flatten)]
        at: At,
    },
    /// Show a hidden team on the board again
    Unhide {
        /// The team's display name
        team: String,
        #[command(flatten)]
        at: At,
    },
    /// Print a new admin token and its link for `hunt serve`, replacing the previous one
    #[command(
        after_help = "The store keeps only the token's SHA-256 digest (in admin-token.sha256 \
        in the store's directory), so the token is shown once; run this again to get a new \
        one, which also revokes the old one, on a running service too. The token is the \
        store's: it is the admin's in every hunt `hunt serve` serves from it, and its link \
        (at the service's root) works whether the service serves one hunt or several."
    )]
    Token {
        /// The service's address, to print the link with
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
        url: String,
    },
}

/// Runs a `hunt admin` command.
pub async fn run(
    selection: &Selection,
    command: Command,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    if let Command::Token { url } = &command {
        return admin_token(selection, url, out);
    }
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    // The core command, when, and the team whose row to show after.
    let (core, at, shown) = match command {
        Command::Reveal { force, at } => return reveal(&engine, force, at, out).await,
        Command::Grant {
            team,
            challenge,
            n,
            at,
        } => {
            let id = team::find(&state, &team)?;
            submit::known_challenge(&state, &challenge)?;
            let core = CoreCommand::GrantAttempts {
                team: id,
                challenge,
                extra: n,
            };
            (core, at, None)
        }
        Command::Adjust {
            team,
            delta,
            reason,
            at,
        } => {
            let id = team::find(&state, &team)?;
            let core = CoreCommand::Adjust {
                team: id,
                delta,
                reason,
            };
            (core, at, Some(id))
        }
        Command::Hide { team, at } => {
            let id = team::find(&state, &team)?;
            let core = CoreCommand::SetHidden {
                team: id,
                hidden: true,
            };
            (core, at, None)
        }
        Command::Token { .. } => unreachable!("handled above"),
        Command::Unhide { team, at } => {
            let id = team::find(&state, &team)?;
            let core = CoreCommand::SetHidden {
                team: id,
                hidden: false,
            };
            (core, at, Some(id))
        }
    };
    let reason = match &core {
        CoreCommand::Adjust { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    let outcome = engine.execute(core, at.now()).await?;
    let state = engine.snapshot();
    match reason {
        Some(reason) => writeln!(out, "{}: {reason}", done(&state, &outcome))?,
        None => writeln!(out, "{}", done(&state, &outcome))?,
    }
    let state = engine.snapshot();
    let visible = |team| state.team(team).is_some_and(|t| !t.hidden);
    if let Some(row) = shown
        .filter(|t| visible(*t))
        .and_then(|t| state.team_row(t))
    {
        writeln!(
            out,
            "\"{}\" now has {} points, place {} of {} on the live board",
            row.name,
            row.score,
            row.place,
            state.board_len()
        )?;
    }
    Ok(())
}

/// What an admin command did, in words, from its outcome.
fn done(state: &HuntState, outcome: &Outcome) -> String {
    let name = |team: &TeamId| {
        state
            .team(*team)
            .map_or_else(|| team.to_string(), |t| t.name.clone())
    };
    match outcome {
        Outcome::Granted {
            team,
            challenge,
            extra,
            capped,
        } => {
            let plural = if *extra == 1 { "attempt" } else { "attempts" };
            let granted = format!(
                "Granted \"{}\" {extra} more {plural} at `{challenge}`",
                name(team)
            );
            if *capped {
                granted
            } else {
                format!("{granted}; `{challenge}` has no attempt cap, so this changes nothing")
            }
        }
        Outcome::Adjusted { team, delta } => {
            format!("{delta:+} points for \"{}\"", name(team))
        }
        Outcome::Hidden {
            team,
            hidden,
            changed,
        } => match (hidden, changed) {
            (true, true) => format!("\"{}\" is hidden from the board", name(team)),
            (true, false) => format!("\"{}\" was already hidden: nothing changed", name(team)),
            (false, true) => format!("\"{}\" is shown on the board again", name(team)),
            (false, false) => format!("\"{}\" was not hidden: nothing changed", name(team)),
        },
        other => format!("Done: {other:?}"),
    }
}

/// `hunt admin reveal`: the core refuses it before the freeze unless forced; the reply says
/// what the public board shows now.
async fn reveal(
    engine: &hunt_core::engine::Engine,
    force: bool,
    at: At,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let result = engine
        .execute(CoreCommand::RevealBoard { force }, at.now())
        .await;
    if let Err(EngineError::Command(CommandError::NotFrozen { freeze })) = &result {
        let why = match freeze {
            Some(freeze) => format!(
                "the board is not frozen yet: it freezes at {}",
                render::time(*freeze)
            ),
            None => "this hunt has no freeze: the public board already is the live one".into(),
        };
        return Err(Failure::user(format!(
            "{why}; revealing now would show the live board to everyone for the rest of the \
             hunt, and cannot be undone: pass --force to reveal anyway"
        )));
    }
    let changed = match result? {
        Outcome::Revealed { changed } => changed,
        other => return Err(Failure::Store(format!("revealing gave {other:?}"))),
    };
    let state = engine.snapshot();
    if changed {
        writeln!(out, "Revealed the final board")?;
    } else {
        writeln!(out, "The final board was already revealed: nothing changed")?;
    }
    let public = state.public();
    let leader = public.top(1);
    let shows = match leader.first() {
        Some(row) => format!(
            "{} {}, led by \"{}\" with {} points",
            public.board_len(),
            if public.board_len() == 1 {
                "team"
            } else {
                "teams"
            },
            row.name,
            row.score
        ),
        None => "no teams yet".to_owned(),
    };
    writeln!(
        out,
        "The public board now shows the live standings, for good: {shows} (`hunt board --public`)"
    )?;
    Ok(())
}

/// `hunt admin token`: a new admin token, whose digest replaces the previous one.
fn admin_token(selection: &Selection, url: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let url = url.trim_end_matches('/');
    if selection.postgres.is_some() {
        // Processes sharing a PostgreSQL store share no directory to keep a digest in.
        let token = crate::serve::tokens::Token::random().map_err(Failure::Store)?;
        writeln!(out, "Admin token: {}", token.to_hex())?;
        writeln!(out, "Admin link: {url}/join/{}", token.to_hex())?;
        writeln!(
            out,
            "On PostgreSQL the store keeps no admin token: start every `hunt serve` process \
             with {}={} (a process started with another one does not accept this one)",
            crate::serve::tokens::ADMIN_ENV,
            token.to_hex()
        )?;
        return Ok(());
    }
    let dir = selection.data_dir();
    if !dir.is_dir() {
        return Err(Failure::user(format!(
            "there is no hunt store at {}: load a hunt with `hunt init FILE` first",
            dir.display()
        )));
    }
    let token = crate::serve::tokens::new_admin(&dir).map_err(Failure::Store)?;
    writeln!(out, "Admin token: {}", token.to_hex())?;
    writeln!(
        out,
        "Admin link: {url}/join/{} (shown once; the previous admin token no longer works)",
        token.to_hex()
    )?;
    Ok(())
}

//! `hunt admin reveal | grant | adjust | hide | unhide`: what organizers do during a hunt.
//! Each is one core command, recorded in the log like everything else.

use std::io::Write;

use hunt_core::Command as CoreCommand;

use crate::clock::At;
use crate::failure::Failure;
use crate::store::Selection;
use crate::{submit, team};

/// The `hunt admin` commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Reveal the final board: the public board stops being frozen
    #[command(
        after_help = "Public views (`hunt board --public`, a team's place) show the \
        board as of the freeze from the freeze time on; after this they show the live board \
        again. Revealing twice changes nothing."
    )]
    Reveal {
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
        one, which also revokes the old one, on a running service too."
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
    // The core command, when, what to say once done, and the team whose row to show after.
    let (core, at, done, shown) = match command {
        Command::Reveal { at } => {
            let done = if state.is_revealed() {
                "The final board was already revealed: nothing changed"
            } else if state.hunt().freeze.is_none() {
                "Revealed the final board (this hunt has no freeze: nothing was hidden)"
            } else {
                "Revealed the final board: the public board is live again"
            };
            (CoreCommand::RevealBoard, at, done.to_owned(), None)
        }
        Command::Grant {
            team,
            challenge,
            n,
            at,
        } => {
            let id = team::find(&state, &team)?;
            submit::known_challenge(&state, &challenge)?;
            let plural = if n == 1 { "attempt" } else { "attempts" };
            let done = format!("Granted \"{team}\" {n} more {plural} at `{challenge}`");
            let core = CoreCommand::GrantAttempts {
                team: id,
                challenge,
                extra: n,
            };
            (core, at, done, None)
        }
        Command::Adjust {
            team,
            delta,
            reason,
            at,
        } => {
            let id = team::find(&state, &team)?;
            let done = format!("{delta:+} points for \"{team}\": {reason}");
            let core = CoreCommand::Adjust {
                team: id,
                delta,
                reason,
            };
            (core, at, done, Some(id))
        }
        Command::Hide { team, at } => {
            let id = team::find(&state, &team)?;
            let done = format!("\"{team}\" is hidden from the board");
            let core = CoreCommand::SetHidden {
                team: id,
                hidden: true,
            };
            (core, at, done, None)
        }
        Command::Token { .. } => unreachable!("handled above"),
        Command::Unhide { team, at } => {
            let id = team::find(&state, &team)?;
            let done = format!("\"{team}\" is shown on the board again");
            let core = CoreCommand::SetHidden {
                team: id,
                hidden: false,
            };
            (core, at, done, Some(id))
        }
    };
    engine.execute(core, at.now()).await?;
    writeln!(out, "{done}")?;
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

/// `hunt admin token`: a new admin token, whose digest replaces the previous one.
fn admin_token(selection: &Selection, url: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let dir = selection.data_dir();
    if !dir.is_dir() {
        return Err(Failure::user(format!(
            "there is no hunt store at {}: load a hunt with `hunt init FILE` first",
            dir.display()
        )));
    }
    let token = crate::serve::tokens::new_admin(&dir).map_err(Failure::Store)?;
    let url = url.trim_end_matches('/');
    writeln!(out, "Admin token: {}", token.to_hex())?;
    writeln!(
        out,
        "Admin link: {url}/join/{} (shown once; the previous admin token no longer works)",
        token.to_hex()
    )?;
    Ok(())
}

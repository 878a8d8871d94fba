//! `hunt hint TEAM CHALLENGE HINT`: takes a hint on behalf of a team and prints it with its
//! cost.

use std::io::Write;

use hunt_core::Command;
use hunt_core::state::{CommandError, Outcome};

use crate::clock::At;
use crate::failure::Failure;
use crate::store::Selection;
use crate::{render, submit, team};

/// Arguments of `hunt hint`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints the hint and what it costs (\"Hint (\u{2212}50 points): ...\"), or why \
    it was not taken (already taken, requires another hint first, challenge locked), and exits \
    0; an unknown team, challenge or hint exits 1. Taking a hint twice charges once."
)]
pub struct Args {
    /// The team's display name
    pub team: String,
    /// The challenge's id, as in the hunt file
    pub challenge: String,
    /// The hint's id, as in the hunt file
    pub hint: String,
    #[command(flatten)]
    pub at: At,
}

/// Runs `hunt hint`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    let team = team::find(&state, &args.team)?;
    submit::known_challenge(&state, &args.challenge)?;
    let now = args.at.now();
    let command = Command::TakeHint {
        team,
        challenge: args.challenge.clone(),
        hint: args.hint.clone(),
    };
    let reply = match engine.execute(command, now).await {
        Ok(Outcome::Hint(reply)) => reply,
        Ok(other) => return Err(Failure::Store(format!("taking a hint gave {other:?}"))),
        Err(hunt_core::engine::EngineError::Command(CommandError::UnknownHint(hint))) => {
            return Err(unknown_hint(&state, &args.challenge, &hint));
        }
        Err(error) => return Err(error.into()),
    };
    writeln!(out, "{}", render::hint(&reply, now))?;
    Ok(())
}

/// An unknown hint, with the hints the challenge does have.
fn unknown_hint(state: &hunt_core::state::HuntState, slug: &str, hint: &str) -> Failure {
    let hints: Vec<&str> = state
        .hunt()
        .challenge_by_slug(slug)
        .map(|c| c.hints.iter().map(|h| h.slug.as_str()).collect())
        .unwrap_or_default();
    let known = if hints.is_empty() {
        "it has no hints".to_owned()
    } else {
        format!("its hints: {}", hints.join(", "))
    };
    Failure::user(format!("challenge `{slug}` has no hint `{hint}` ({known})"))
}

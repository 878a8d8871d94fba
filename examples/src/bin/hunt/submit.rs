//! `hunt submit TEAM CHALLENGE ANSWER`: judges one answer and prints the verdict as a sentence.

use std::io::Write;

use hunt_core::IdempotencyKey;

use hunt_core::state::HuntState;

use crate::clock::At;
use crate::failure::Failure;
use crate::render;
use crate::store::Selection;
use crate::team;

/// Arguments of `hunt submit`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints the verdict (\"Correct! +412 points, first blood\", \
    \"Incorrect. 3 attempts left\", \"Keep going: ...\", \"Too many guesses: try again in \
    40 s\", \"That challenge is locked\", ...) and exits 0 whatever it is; an unknown team or \
    challenge exits 1."
)]
pub struct Args {
    /// The team's display name
    pub team: String,
    /// The challenge's id, as in the hunt file
    pub challenge: String,
    /// The answer, as the team typed it
    pub answer: String,
    /// Idempotency key (32 hex digits): a retry with the same key gets the original verdict
    /// and records nothing twice [default: a fresh UUIDv7]
    #[arg(long, value_name = "HEX")]
    pub key: Option<IdempotencyKey>,
    #[command(flatten)]
    pub at: At,
}

/// Runs `hunt submit`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    let team = team::find(&state, &args.team)?;
    known_challenge(&state, &args.challenge)?;
    let key = args
        .key
        .unwrap_or_else(|| IdempotencyKey(uuid::Uuid::now_v7().as_u128()));
    let now = args.at.now();
    let verdict = engine
        .submit(team, &args.challenge, &args.answer, key, now)
        .await?;
    writeln!(out, "{}", render::verdict(&verdict, now))?;
    Ok(())
}

/// Fails unless the hunt has a challenge `slug`. The operator gets a clear error for a typo;
/// teams (through a service) would see "locked", which the core makes indistinguishable from
/// an unknown challenge.
pub fn known_challenge(state: &HuntState, slug: &str) -> Result<(), Failure> {
    match state.hunt().challenge_by_slug(slug) {
        Some(_) => Ok(()),
        None => Err(Failure::user(format!(
            "hunt `{}` has no challenge `{slug}`",
            state.hunt().id
        ))),
    }
}

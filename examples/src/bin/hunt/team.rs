//! `hunt team add | list | show`: registering teams and looking at them.

use std::io::Write;

use hunt_core::TeamId;
use hunt_core::state::{ChallengeView, HintView, HuntState};

use crate::clock::At;
use crate::failure::Failure;
use crate::render;
use crate::serve::tokens::Token;
use crate::store::Selection;

/// The `hunt team` commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Register a team
    Add {
        /// Display name, unique in the hunt (compared ignoring case and spacing); names with
        /// invisible or bidirectional control characters, or that look like a registered
        /// team's (UTS #39 confusables, such as `Sea 0tters`), are refused
        name: String,
        /// The team's division, for per-division standings (`hunt board --division`); required
        /// when the hunt declares divisions, and then one of them (case ignored)
        #[arg(long, value_name = "D")]
        division: Option<String>,
        /// The address of `hunt serve`, to print the team's join link with
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        #[command(flatten)]
        at: At,
    },
    /// List every team with its score and place
    List,
    /// Show a team's progress: its score and public place; solved challenges with their
    /// answers; open ones with their current value, solves, attempts left, throttling and
    /// hints; locked ones
    Show {
        /// The team's display name
        name: String,
        #[command(flatten)]
        at: At,
    },
}

/// Runs a `hunt team` command.
pub async fn run(
    selection: &Selection,
    command: Command,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    match command {
        Command::Add {
            name,
            division,
            url,
            at,
        } => {
            // The token's digest is the registration's key: the log keeps it, not the token.
            let token = Token::random().map_err(Failure::Store)?;
            let team = engine
                .register_with_key(&name, division.as_deref(), token.key(), at.now())
                .await?;
            let state = engine.snapshot();
            let team = state.team(team);
            let shown = team.map_or(name.as_str(), |t| t.name.as_str());
            // The division as recorded: a declared one is named by its id, as declared.
            match team.and_then(|t| t.division.as_deref()) {
                Some(division) => writeln!(
                    out,
                    "Registered team \"{shown}\" in division \"{division}\""
                )?,
                None => writeln!(out, "Registered team \"{shown}\"")?,
            }
            // Under the hunt's own base path, which the service serves whether it serves
            // this hunt alone or with others.
            writeln!(
                out,
                "Join link: {}{}/join/{} (shown once: the store keeps only its digest)",
                url.trim_end_matches('/'),
                crate::serve::base_of(engine.hunt_id().as_str()),
                token.to_hex()
            )?;
        }
        Command::List => list(&engine.snapshot(), out)?,
        Command::Show { name, at } => {
            let state = engine.snapshot();
            let team = find(&state, &name)?;
            show(&state, team, at.now(), out)?;
        }
    }
    Ok(())
}

/// The team registered under `name`, or a one-line error.
pub fn find(state: &HuntState, name: &str) -> Result<TeamId, Failure> {
    state.team_by_name(name).ok_or_else(|| {
        Failure::user(format!(
            "hunt `{}` has no team named \"{name}\" (see `hunt team list`)",
            state.hunt().id
        ))
    })
}

fn list(state: &HuntState, out: &mut dyn Write) -> Result<(), Failure> {
    if state.team_count() == 0 {
        writeln!(out, "No teams yet: add one with `hunt team add NAME`")?;
        return Ok(());
    }
    let mut table = render::table(
        &[
            "#",
            "team",
            "division",
            "score",
            "solves",
            "place",
            "registered",
        ],
        &[0, 3, 4, 5],
    );
    for (id, team) in state.teams() {
        let place = if team.hidden {
            "hidden".to_owned()
        } else {
            state
                .team_row(id)
                .map_or_else(|| "-".to_owned(), |row| row.place.to_string())
        };
        table.add_row(vec![
            id.0.to_string(),
            team.name.clone(),
            team.division.clone().unwrap_or_default(),
            team.score.to_string(),
            team.solve_count().to_string(),
            place,
            render::time(team.registered_at),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

fn show(
    state: &HuntState,
    team: TeamId,
    now: hunt_core::Timestamp,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (Some(info), Some(progress), Some(own)) = (
        state.team(team),
        state.progress(team, now),
        state.own_row(team),
    ) else {
        return Err(Failure::user(format!("unknown team {team}")));
    };
    let division = info
        .division
        .as_ref()
        .map_or_else(String::new, |d| format!(" (division {d})"));
    let hidden = if info.hidden {
        ", hidden from the board"
    } else {
        ""
    };
    // `own_row` is what the team sees: its live score, its place on the public board.
    let public = state.public();
    let place = if own.place == 0 {
        "no place on the frozen board".to_owned()
    } else {
        format!("place {} of {}", own.place, public.board_len())
    };
    let frozen = match (state.is_frozen(), state.team_row(team)) {
        (true, Some(live)) => format!(
            " (public board frozen at {}; live place {})",
            render::maybe_time(state.hunt().freeze),
            live.place
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}{division}: {} points, {place}{frozen}, {} solved{hidden}",
        info.name,
        own.score,
        info.solve_count()
    )?;
    let mut table = render::table(
        &[
            "challenge",
            "title",
            "round",
            "status",
            "points",
            "solves",
            "answer",
            "solved at",
            "attempts left",
        ],
        &[4, 5, 8],
    );
    let hunt = state.hunt();
    let mut notes = Vec::new();
    for challenge in &hunt.challenges {
        let round = challenge
            .round
            .map_or_else(String::new, |r| hunt.rounds[r.index()].clone());
        let view = progress.challenges.iter().find(|view| match view {
            ChallengeView::Open { slug, .. } | ChallengeView::Preview { slug, .. } => {
                *slug == challenge.slug
            }
            _ => false,
        });
        // Points: what the solve earned (its current points under retroactive scoring), or
        // what solving would earn now.
        let (status, points, solves, answer, at, attempts) = match view {
            Some(ChallengeView::Open {
                points,
                solves,
                attempts_left,
                retry_at,
                hints,
                solved,
                ..
            }) => {
                notes.extend(hints.iter().map(|hint| hint_note(&challenge.slug, hint)));
                match solved {
                    Some(solve) => (
                        "solved",
                        solve.points,
                        *solves,
                        solve.answer.clone(),
                        render::time(solve.at),
                        String::new(),
                    ),
                    None => {
                        let attempts =
                            attempts_left.map_or_else(|| "unlimited".to_owned(), |n| n.to_string());
                        let status = match retry_at {
                            Some(retry_at) => {
                                notes.push(format!(
                                    "{}: throttled until {} (in {})",
                                    challenge.slug,
                                    render::time(*retry_at),
                                    render::wait(retry_at.since(now))
                                ));
                                "throttled"
                            }
                            None if *attempts_left == Some(0) => "no attempts left",
                            None => "open",
                        };
                        (
                            status,
                            *points,
                            *solves,
                            String::new(),
                            String::new(),
                            attempts,
                        )
                    }
                }
            }
            // Locked: the operator sees the title; the team would see it only with a preview.
            _ => (
                "locked",
                public.current_value(challenge.id),
                public.solve_count(challenge.id),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        table.add_row(vec![
            challenge.slug.clone(),
            challenge.title.clone(),
            round,
            status.to_owned(),
            points.to_string(),
            solves.to_string(),
            answer,
            at,
            attempts,
        ]);
    }
    writeln!(out, "{table}")?;
    for note in notes {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

/// One hint of an open challenge as the team sees it: taken with its content, or what it
/// costs and which hint it needs first.
fn hint_note(challenge: &str, hint: &HintView) -> String {
    let cost = match hint.cost {
        0 => "free".to_owned(),
        cost => format!("{cost} points"),
    };
    match (&hint.content, &hint.requires) {
        (Some(content), _) => format!("{challenge}: hint {} taken ({cost}): {content}", hint.slug),
        (None, Some(first)) => format!(
            "{challenge}: hint {} not taken ({cost}, requires hint {first} first)",
            hint.slug
        ),
        (None, None) => format!("{challenge}: hint {} not taken ({cost})", hint.slug),
    }
}

//! `hunt team add | list | show`: registering teams and looking at them.

use std::io::Write;

use hunt_core::TeamId;
use hunt_core::state::{ChallengeView, HuntState};

use crate::clock::At;
use crate::failure::Failure;
use crate::render;
use crate::store::Selection;

/// The `hunt team` commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Register a team
    Add {
        /// Display name, unique in the hunt (compared ignoring case and spacing)
        name: String,
        /// The team's division, for per-division standings (`hunt board --division`)
        #[arg(long, value_name = "D")]
        division: Option<String>,
        #[command(flatten)]
        at: At,
    },
    /// List every team with its score and place
    List,
    /// Show a team's progress: solved challenges with their answers, open ones with the
    /// attempts left, locked ones
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
        Command::Add { name, division, at } => {
            let team = engine
                .register(&name, division.as_deref(), at.now())
                .await?;
            let state = engine.snapshot();
            let team = state.team(team).map_or(name.as_str(), |t| t.name.as_str());
            match division {
                Some(division) => writeln!(
                    out,
                    "Registered team \"{team}\" in division \"{}\"",
                    division.trim()
                )?,
                None => writeln!(out, "Registered team \"{team}\"")?,
            }
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
    let (Some(info), Some(progress)) = (state.team(team), state.progress(team, now)) else {
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
    writeln!(
        out,
        "{}{division}: {} points, place {} of {}, {} solved{hidden}",
        info.name,
        progress.score,
        progress.place,
        state.board_len(),
        info.solve_count()
    )?;
    let mut table = render::table(
        &[
            "challenge",
            "title",
            "round",
            "status",
            "points",
            "answer",
            "solved at",
            "attempts left",
        ],
        &[4, 7],
    );
    let hunt = state.hunt();
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
        let (status, points, answer, at, attempts) = match view {
            Some(ChallengeView::Open {
                points,
                attempts_left,
                solved,
                ..
            }) => match solved {
                Some(solve) => (
                    "solved",
                    solve.points.to_string(),
                    solve.answer.clone(),
                    render::time(solve.at),
                    String::new(),
                ),
                None => (
                    "open",
                    points.to_string(),
                    String::new(),
                    String::new(),
                    attempts_left.map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
                ),
            },
            // Locked: the operator sees the title; the team would see it only with a preview.
            _ => (
                "locked",
                state.current_value(challenge.id).to_string(),
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
            points,
            answer,
            at,
            attempts,
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

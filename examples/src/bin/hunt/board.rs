//! `hunt board`: the standings as a table, whole, top N, or one division.

use std::io::Write;

use hunt_core::hunt::SharedRanks;
use hunt_core::state::{HuntState, Row};

use crate::failure::Failure;
use crate::render;
use crate::store::Selection;

/// Arguments of `hunt board`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only the first N rows (after the division filter)
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Only teams of this division, placed among themselves
    #[arg(long, value_name = "D")]
    pub division: Option<String>,

    /// The public board, as teams see it: frozen after the hunt's freeze time. (Until the
    /// freeze rules land in the core, this shows the live board, with a note.)
    #[arg(long)]
    pub public: bool,
}

/// Runs `hunt board`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    let mut rows = view(&state, args.public);
    if let Some(division) = &args.division {
        rows = within_division(&state, rows, division)?;
    }
    if let Some(top) = args.top {
        rows.truncate(top);
    }
    write_board(&rows, out)
}

/// The rows of the live or the public board.
///
/// The one place that knows about the public view: the core has no frozen board yet, so
/// `--public` shows the live one and says so (on stderr, to keep stdout a clean table). When
/// the rules work adds the frozen view, only this function changes.
fn view(state: &HuntState, public: bool) -> Vec<Row> {
    if public {
        eprintln!(
            "note: the frozen public board comes with the core's freeze rules; showing the live \
             board"
        );
    }
    state.standings()
}

/// The rows of one division, placed again among themselves under the hunt's shared-rank
/// policy (ties on the whole board stay ties).
fn within_division(state: &HuntState, rows: Vec<Row>, division: &str) -> Result<Vec<Row>, Failure> {
    let wanted = division.trim().to_lowercase();
    let in_division = |d: Option<&String>| d.is_some_and(|d| d.to_lowercase() == wanted);
    if !state.teams().any(|(_, t)| in_division(t.division.as_ref())) {
        let mut known: Vec<&str> = state
            .teams()
            .filter_map(|(_, t)| t.division.as_deref())
            .collect();
        known.sort_unstable();
        known.dedup();
        let known = if known.is_empty() {
            "no team has a division".to_owned()
        } else {
            format!("divisions: {}", known.join(", "))
        };
        return Err(Failure::user(format!(
            "no team is in division \"{division}\" ({known})"
        )));
    }
    let policy = state.hunt().shared_ranks;
    let mut placed: Vec<Row> = Vec::new();
    // The previous row's place on the whole board and in the division.
    let mut previous: Option<(u32, u32)> = None;
    let mut distinct = 0;
    for mut row in rows
        .into_iter()
        .filter(|r| in_division(r.division.as_ref()))
    {
        let board_place = row.place;
        row.place = match previous {
            Some((board, place)) if board == board_place => place,
            _ => {
                distinct += 1;
                match policy {
                    SharedRanks::Dense => distinct,
                    _ => u32::try_from(placed.len() + 1).unwrap_or(u32::MAX),
                }
            }
        };
        previous = Some((board_place, row.place));
        placed.push(row);
    }
    Ok(placed)
}

pub fn write_board(rows: &[Row], out: &mut dyn Write) -> Result<(), Failure> {
    if rows.is_empty() {
        writeln!(out, "No teams on the board yet")?;
        return Ok(());
    }
    let divisions = rows.iter().any(|r| r.division.is_some());
    let mut header = vec!["rank", "team"];
    if divisions {
        header.push("division");
    }
    header.extend(["score", "solves", "last solve"]);
    let first_number = header.len() - 3;
    let mut table = render::table(&header, &[0, first_number, first_number + 1]);
    for row in rows {
        let mut cells = vec![row.place.to_string(), row.name.clone()];
        if divisions {
            cells.push(row.division.clone().unwrap_or_default());
        }
        cells.extend([
            row.score.to_string(),
            row.solves.to_string(),
            render::maybe_time(row.last_solve_at),
        ]);
        table.add_row(cells);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

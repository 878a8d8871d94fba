//! `hunt board`: the standings as a table, whole, top N, or one division; live, or public
//! (frozen after the freeze time until the final board is revealed).

use std::io::Write;

use hunt_core::hunt::RankingOrder;
use hunt_core::state::{HuntState, Row};

use crate::failure::Failure;
use crate::render;
use crate::store::Selection;

/// Arguments of `hunt board`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only the first N rows (of the division, with --division)
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Only teams of this division, placed among themselves
    #[arg(long, value_name = "D")]
    pub division: Option<String>,

    /// The public board, as teams see it: after the hunt's freeze time, the board as of the
    /// freeze, until `hunt admin reveal`
    #[arg(long)]
    pub public: bool,
}

/// Runs `hunt board`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    let view = if args.public {
        if state.is_frozen()
            && let Some(freeze) = state.hunt().freeze
        {
            writeln!(
                out,
                "Public board, frozen at {} (the live board stays hidden until `hunt admin \
                 reveal`)",
                render::time(freeze)
            )?;
        }
        state.public()
    } else {
        &*state
    };
    let limit = args.top.unwrap_or(usize::MAX);
    let rows = match &args.division {
        Some(wanted) => {
            let division = division(&state, wanted)?;
            view.division_page(division, 0, limit.min(view.division_len(division)))
        }
        None => view.page(0, limit.min(view.board_len())),
    };
    write_board(&rows, out)?;
    if let Some(note) = order_note(view, &rows) {
        writeln!(out, "{note}")?;
    }
    // The process ends with this command: freeing the state (a tenth of a second for a hunt
    // of 100,000 challenges, as long as the rest of the command) is left to the system.
    std::mem::forget(state);
    Ok(())
}

/// The division named `wanted` (exactly, or else ignoring case), or a one-line error listing
/// the divisions.
fn division<'a>(state: &'a HuntState, wanted: &str) -> Result<&'a str, Failure> {
    let wanted = wanted.trim();
    let mut known: Vec<&str> = state.divisions().collect();
    for declared in &state.hunt().divisions {
        if !known.contains(&declared.name.as_str()) {
            known.push(&declared.name);
        }
    }
    if let Some(exact) = known.iter().find(|d| **d == wanted) {
        return Ok(exact);
    }
    if let Some(caseless) = known
        .iter()
        .find(|d| d.to_lowercase() == wanted.to_lowercase())
    {
        return Ok(caseless);
    }
    let known = if known.is_empty() {
        "no team has a division".to_owned()
    } else {
        format!("divisions: {}", known.join(", "))
    };
    Err(Failure::user(format!(
        "no division \"{wanted}\" in hunt `{}` ({known})",
        state.hunt().id
    )))
}

/// The standings as a table, or a line saying there are none.
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

/// Under the puzzle-hunt order, a line explaining the first pair of `rows` (in board order)
/// where a team with fewer points is placed above one with more: the order ranks the final
/// meta's solvers first (earliest first), then more solves, then the earlier last solve, and
/// never looks at points (gph-site's leaderboard). `None` under the points order, or when
/// the points happen to fall in board order too.
pub fn order_note(view: &HuntState, rows: &[Row]) -> Option<String> {
    let hunt = view.hunt();
    if hunt.ranking != RankingOrder::PuzzleHunt {
        return None;
    }
    let (above, below) = rows
        .windows(2)
        .map(|pair| (&pair[0], &pair[1]))
        .find(|(above, below)| above.score < below.score && above.place < below.place)?;
    let meta_at = |row: &Row| view.team(row.team).and_then(|t| t.final_meta_at);
    let reason = match (meta_at(above), meta_at(below)) {
        (Some(at), None) => format!("solved the final meta (at {})", render::time(at)),
        (Some(first), Some(second)) => format!(
            "solved the final meta first ({} before {})",
            render::time(first),
            render::time(second)
        ),
        _ if above.solves > below.solves => {
            format!("has more solves ({} to {})", above.solves, below.solves)
        }
        _ => format!(
            "reached its {} solves first ({} before {})",
            above.solves,
            render::maybe_time(above.last_solve_at),
            render::maybe_time(below.last_solve_at)
        ),
    };
    Some(format!(
        "Puzzle-hunt order (as gph-site ranks): first the teams that solved the final meta, \
         earliest first; then more solves; then the earlier last solve. Points are shown but \
         do not rank: {} ({} points) is above {} ({} points) because it {reason}.",
        above.name, above.score, below.name, below.score
    ))
}

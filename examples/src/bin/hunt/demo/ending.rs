//! How `hunt demo` ends: the boards (frozen and live, with what the freeze hid, then the
//! reveal), and under the puzzle-hunt order why fewer points may rank above more.

use std::io::Write;

use hunt_core::engine::Engine;
use hunt_core::state::HuntState;
use hunt_core::{Command, TeamId, Timestamp};

use crate::failure::Failure;
use crate::{board, render};

/// The boards at the end: frozen and live, what changed between them, then the reveal, for a
/// hunt whose freeze passed; else the live board. Under the puzzle-hunt order, a line says
/// why a team with fewer points may be placed above one with more.
pub(super) async fn finish(
    engine: &Engine,
    end: Timestamp,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let state = engine.snapshot();
    let freeze = state.hunt().freeze;
    if let Some(freeze) = freeze.filter(|_| state.is_frozen()) {
        writeln!(
            out,
            "\nPublic board at {}, as teams see it: frozen at {} (top 10 of {}):",
            render::time(end),
            render::time(freeze),
            state.public().board_len()
        )?;
        let public = state.public().top(10);
        board::write_board(&public, out)?;
        // Said once, under the first board where it shows.
        let mut note = board::order_note(state.public(), &public);
        if let Some(note) = &note {
            writeln!(out, "{note}")?;
        }
        writeln!(
            out,
            "\nLive board at {}, as organizers see it (top 10 of {}):",
            render::time(end),
            state.board_len()
        )?;
        let live = state.top(10);
        board::write_board(&live, out)?;
        if note.is_none() {
            note = board::order_note(&state, &live);
            if let Some(note) = &note {
                writeln!(out, "{note}")?;
            }
        }
        writeln!(out, "\n{}", since_freeze(&state))?;
        engine
            .execute(Command::RevealBoard { force: false }, end)
            .await?;
        writeln!(
            out,
            "\nRevealed the final board at {}: the public board is the live one again",
            render::time(end)
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "\nStandings at {} (top 10 of {}):",
        render::time(end),
        state.board_len()
    )?;
    let rows = state.top(10);
    board::write_board(&rows, out)?;
    if let Some(note) = board::order_note(&state, &rows) {
        writeln!(out, "{note}")?;
    }
    if let Some(freeze) = freeze.filter(|f| *f >= end) {
        writeln!(
            out,
            "(The board freezes at {}, after the simulated minutes: simulate the whole hunt to \
             see the frozen board and the reveal)",
            render::time(freeze)
        )?;
    }
    Ok(())
}

/// Teams shown before the rest in [`since_freeze`].
const CHANGES_SHOWN: usize = 5;

/// What the frozen board hides: the teams whose place, score or solves moved after the
/// freeze, from the top of the live board, or that nothing did.
fn since_freeze(state: &HuntState) -> String {
    let public = state.public();
    let frozen: std::collections::HashMap<TeamId, hunt_core::state::Row> = public
        .page(0, public.board_len())
        .into_iter()
        .map(|row| (row.team, row))
        .collect();
    let changes: Vec<String> = state
        .page(0, state.board_len())
        .into_iter()
        .filter_map(|live| {
            let before = frozen.get(&live.team)?;
            let mut moved = Vec::new();
            if before.place != live.place {
                moved.push(format!("place {} → {}", before.place, live.place));
            }
            if before.score != live.score {
                moved.push(format!("{} → {} points", before.score, live.score));
            }
            if before.solves != live.solves {
                moved.push(format!("{} → {} solves", before.solves, live.solves));
            }
            (!moved.is_empty()).then(|| format!("  {}: {}", live.name, moved.join(", ")))
        })
        .collect();
    if changes.is_empty() {
        return "Nothing changed after the freeze: the revealed board is the frozen one".to_owned();
    }
    let mut text = format!(
        "After the freeze, hidden from teams until the reveal, {} teams moved:",
        changes.len()
    );
    for line in changes.iter().take(CHANGES_SHOWN) {
        text.push('\n');
        text.push_str(line);
    }
    if changes.len() > CHANGES_SHOWN {
        text.push_str(&format!("\n  … and {} more", changes.len() - CHANGES_SHOWN));
    }
    text
}

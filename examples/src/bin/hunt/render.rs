//! How the CLI says things to people: verdicts as sentences, times, and the style of tables.
//!
//! [`verdict`] is the one place that turns a [`Verdict`] into words, so the verdicts the rules
//! work adds (throttling with a retry time, first blood bonuses) are one arm each here.

use comfy_table::{CellAlignment, Table, presets};
use hunt_core::{Timestamp, Verdict, Window};

/// A verdict as a team would want to read it.
pub fn verdict(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Correct {
            points,
            first_solve: true,
        } => format!("Correct! +{points} points, first solve"),
        Verdict::Correct { points, .. } => format!("Correct! +{points} points"),
        Verdict::Incorrect { repeated: true, .. } => {
            "Already tried that one: no attempt used".to_owned()
        }
        Verdict::Incorrect {
            attempts_left: Some(0),
            ..
        } => "Incorrect. No attempts left".to_owned(),
        Verdict::Incorrect {
            attempts_left: Some(1),
            ..
        } => "Incorrect. 1 attempt left".to_owned(),
        Verdict::Incorrect {
            attempts_left: Some(left),
            ..
        } => format!("Incorrect. {left} attempts left"),
        Verdict::Incorrect { .. } => "Incorrect".to_owned(),
        Verdict::Partial { reply } => format!("Keep going: {reply}"),
        Verdict::AlreadySolved => "Already solved: nothing changes".to_owned(),
        Verdict::Locked => "That challenge is locked".to_owned(),
        Verdict::NotOpen(Window::BeforeStart { opens_at }) => {
            format!("The hunt opens at {opens_at}")
        }
        Verdict::NotOpen(Window::AfterEnd { closed_at }) => {
            format!("The hunt closed at {closed_at}")
        }
        Verdict::AttemptsExhausted => "No attempts left for that challenge".to_owned(),
        Verdict::Duplicate { original } => {
            format!("Already received (same key): {}", self::verdict(original))
        }
        Verdict::KeyConflict => {
            "That key was already used for another submission: nothing recorded".to_owned()
        }
        // Verdicts added to the core later read as their debug form until given words here.
        other => format!("Not accepted: {other:?}"),
    }
}

/// An instant as people read it in tables: `2026-11-28 09:13:05Z`.
pub fn time(at: Timestamp) -> String {
    at.to_string().replacen('T', " ", 1)
}

/// An optional instant, with a dash for none.
pub fn maybe_time(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), time)
}

/// A table in the CLI's style, with `header`, and the columns at `right` aligned right.
pub fn table(header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    for &column in right {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_read_as_sentences() {
        let at = Timestamp::parse_rfc3339("2026-11-28T09:00:00Z").expect("valid");
        let table = [
            (
                Verdict::Correct {
                    points: 400,
                    first_solve: true,
                },
                "Correct! +400 points, first solve",
            ),
            (
                Verdict::Incorrect {
                    repeated: false,
                    attempts_left: Some(3),
                },
                "Incorrect. 3 attempts left",
            ),
            (
                Verdict::Incorrect {
                    repeated: true,
                    attempts_left: Some(3),
                },
                "Already tried that one: no attempt used",
            ),
            (
                Verdict::Partial {
                    reply: "Close!".into(),
                },
                "Keep going: Close!",
            ),
            (
                Verdict::NotOpen(Window::BeforeStart { opens_at: at }),
                "The hunt opens at 2026-11-28T09:00:00Z",
            ),
            (
                Verdict::Duplicate {
                    original: Box::new(Verdict::Locked),
                },
                "Already received (same key): That challenge is locked",
            ),
        ];
        for (verdict, expected) in table {
            assert_eq!(super::verdict(&verdict), expected);
        }
    }
}

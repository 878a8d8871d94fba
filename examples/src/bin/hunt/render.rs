//! How the CLI says things to people: verdicts as sentences, times, and the style of tables.
//!
//! [`verdict`] is the one place that turns a [`Verdict`] into words, and [`hint`] the one for
//! a [`HintReply`]; [`wait`] says how long until a throttled team may guess again.

use comfy_table::{CellAlignment, Table, presets};
use hunt_core::state::{Charged, HintReply};
use hunt_core::{Span, Timestamp, Verdict, Window};

/// A verdict as a team would want to read it; `now` is when it was given, so a throttled
/// team reads how long to wait rather than an instant.
pub fn verdict(verdict: &Verdict, now: Timestamp) -> String {
    match verdict {
        Verdict::Correct {
            points,
            first_solve: true,
        } => format!("Correct! +{points} points, first blood"),
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
        Verdict::AttemptsExhausted => {
            "No attempts left for that challenge: nothing was judged (an organizer can grant \
             more)"
                .to_owned()
        }
        Verdict::Throttled { retry_at } => format!(
            "Too many guesses: try again in {}",
            wait(retry_at.since(now))
        ),
        Verdict::Duplicate { original } => format!(
            "Already received (same key): {}",
            self::verdict(original, now)
        ),
        Verdict::KeyConflict => {
            "That key was already used for another submission: nothing recorded".to_owned()
        }
        // Verdicts added to the core later read as their debug form until given words here.
        other => format!("Not accepted: {other:?}"),
    }
}

/// The reply to taking a hint, with what it costs and when.
pub fn hint(reply: &HintReply, now: Timestamp) -> String {
    match reply {
        HintReply::Revealed {
            content, cost: 0, ..
        } => format!("Hint (free): {content}"),
        HintReply::Revealed {
            content,
            cost,
            charged: Charged::OnSolve,
        } => format!("Hint (\u{2212}{cost} points if you solve it): {content}"),
        HintReply::Revealed { content, cost, .. } => {
            format!("Hint (\u{2212}{cost} points): {content}")
        }
        HintReply::AlreadyTaken { content } => {
            format!("Hint already taken, nothing charged again: {content}")
        }
        HintReply::RequiresHint { hint } => {
            format!("That hint requires hint \"{hint}\" first: nothing taken")
        }
        // The same words as a locked submission: a team cannot tell locked from unknown.
        HintReply::Locked => self::verdict(&Verdict::Locked, now),
        HintReply::NotOpen(window) => self::verdict(&Verdict::NotOpen(*window), now),
        other => format!("Not taken: {other:?}"),
    }
}

/// A wait in the largest units that keep it short: "40 s", "2 min 40 s", "1 h 5 min".
/// Rounded up to the second, so "try again in" never names a time that is still too early.
pub fn wait(span: Span) -> String {
    let secs = (span.as_millis().max(0) + 999) / 1000;
    let (h, min, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, min, s) {
        (0, 0, s) => format!("{s} s"),
        (0, min, 0) => format!("{min} min"),
        (0, min, s) => format!("{min} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, min, _) => format!("{h} h {min} min"),
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
                "Correct! +400 points, first blood",
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
            (
                Verdict::Throttled {
                    retry_at: at.saturating_add(Span::from_secs(160)),
                },
                "Too many guesses: try again in 2 min 40 s",
            ),
        ];
        for (verdict, expected) in table {
            assert_eq!(super::verdict(&verdict, at), expected);
        }
    }

    #[test]
    fn waits_read_in_human_units() {
        let table = [
            (0, "0 s"),
            (1, "1 s"),
            (40_000, "40 s"),
            (39_001, "40 s"),
            (60_000, "1 min"),
            (160_000, "2 min 40 s"),
            (3_600_000, "1 h"),
            (3_900_000, "1 h 5 min"),
            (-5, "0 s"),
        ];
        for (millis, expected) in table {
            assert_eq!(wait(Span(millis)), expected, "{millis} ms");
        }
    }

    #[test]
    fn hint_replies_say_what_they_cost() {
        let at = Timestamp::parse_rfc3339("2026-11-28T09:00:00Z").expect("valid");
        let revealed = |cost, charged| HintReply::Revealed {
            content: "Look up.".into(),
            cost,
            charged,
        };
        let table = [
            (
                revealed(50, Charged::Now),
                "Hint (\u{2212}50 points): Look up.",
            ),
            (
                revealed(50, Charged::OnSolve),
                "Hint (\u{2212}50 points if you solve it): Look up.",
            ),
            (revealed(0, Charged::OnSolve), "Hint (free): Look up."),
            (HintReply::Locked, "That challenge is locked"),
        ];
        for (reply, expected) in table {
            assert_eq!(hint(&reply, at), expected);
        }
    }
}

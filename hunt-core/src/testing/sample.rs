//! A deterministic generator of varied events, for the suite and for other tests.
//!
//! The events cover every variant and the awkward values a store must keep exactly: empty,
//! non-ASCII, control and NUL characters in strings, and the extremes of every number.

use crate::event::{Event, JudgedAs};
use crate::ids::{IdempotencyKey, TeamId};
use crate::time::Timestamp;

/// Texts that stores have been known to mangle: escaping, encodings, NULs, trimming.
const TEXTS: &[&str] = &[
    "plain answer",
    "",
    "Ünïcödé ✓ 🧩 日本語",
    "quote \" backslash \\ newline\ncarriage return\r tab\t",
    "nul \0 byte",
    "  leading and trailing spaces  ",
    "<script>alert(1)</script>' OR 1=1; -- %s {0} $1",
    "right-to-left \u{202e} mark, zero width \u{200b} space, BOM \u{feff}",
];

/// The `i`-th sample event: deterministic, distinct for distinct `i` (below 2³²), and varied.
///
/// Consecutive values cycle through every [`Event`] and [`JudgedAs`] variant, with strings
/// that are empty, non-ASCII, or hold quotes, control characters and NUL, and with extreme
/// timestamps, deltas, replies and idempotency keys.
pub fn sample_event(i: u64) -> Event {
    // The team id keeps events distinct, so a store that reorders or duplicates is caught.
    let team = TeamId(i as u32);
    let at = match i % 5 {
        0 => Timestamp::from_millis(1_764_320_400_000 + (i as i64) * 1_000),
        1 => Timestamp::from_millis(0),
        2 => Timestamp::from_millis(i64::MAX),
        3 => Timestamp::from_millis(i64::MIN),
        _ => Timestamp::from_millis(-(i as i64)),
    };
    let text = |salt: u64| -> String {
        let text = TEXTS[((i + salt) % TEXTS.len() as u64) as usize];
        if text.is_empty() {
            String::new()
        } else {
            format!("{text} #{i}")
        }
    };
    let key = IdempotencyKey(match (i / 6) % 3 {
        0 => u128::MAX - u128::from(i),
        1 => u128::from(i),
        _ => (u128::from(i) << 100) ^ 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
    });
    let challenge = format!("challenge-{}", i % 13);
    match i % 6 {
        0 => Event::TeamRegistered {
            team,
            name: text(0),
            division: match (i / 6) % 4 {
                0 => None,
                1 => Some("open".to_owned()),
                2 => Some(String::new()),
                _ => Some("Étudiants 🎓".to_owned()),
            },
            key: (i % 12 < 6).then_some(key),
            at,
        },
        1 => Event::SubmissionJudged {
            team,
            challenge,
            key,
            answer: text(1),
            judged: JudgedAs::Correct,
            at,
        },
        2 => Event::SubmissionJudged {
            team,
            challenge,
            key,
            answer: text(2),
            judged: JudgedAs::Incorrect { guess: text(3) },
            at,
        },
        3 => Event::SubmissionJudged {
            team,
            challenge,
            key,
            answer: text(4),
            judged: JudgedAs::Partial {
                reply: [0, 1, u32::MAX][((i / 6) % 3) as usize],
            },
            at,
        },
        4 => Event::PointsAdjusted {
            team,
            delta: [0, -1, 250, i64::MIN, i64::MAX][(i % 5) as usize],
            reason: text(5),
            key: (i % 12 < 6).then_some(key),
            at,
        },
        _ => Event::TeamHidden {
            team,
            hidden: i % 4 < 2,
            key: (i % 12 < 6).then_some(key),
            at,
        },
    }
}

/// `count` sample events: [`sample_event`] of `start`, `start + 1`, and so on.
pub fn sample_events(start: u64, count: usize) -> Vec<Event> {
    (start..).take(count).map(sample_event).collect()
}

//! Verdicts: what a team is told about a submission. Domain outcomes, not errors.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Why a submission was refused because of the hunt's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The hunt has not started; it opens at this instant.
    BeforeStart {
        /// Start of the hunt.
        opens_at: Timestamp,
    },
    /// The hunt is over; it closed at this instant.
    AfterEnd {
        /// End of the hunt.
        closed_at: Timestamp,
    },
}

/// The engine's answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Solved.
    Correct {
        /// Points awarded.
        points: i64,
        /// Whether this team is the first (visible) solver.
        first_solve: bool,
    },
    /// Wrong.
    Incorrect {
        /// Whether the same wrong guess was made before (a repeat is free).
        repeated: bool,
        /// Counted wrong guesses left, when the challenge limits them.
        attempts_left: Option<u32>,
    },
    /// A partial answer: keep going. Free, not counted as a guess.
    Partial {
        /// The reply for the team.
        reply: String,
    },
    /// The team already solved this challenge; the answer was not judged.
    AlreadySolved,
    /// Locked, or no such challenge: the two look identical to a team. Not judged.
    Locked,
    /// Outside the hunt's window. Not judged.
    NotOpen(Window),
    /// The challenge's attempt limit is used up. Not judged.
    AttemptsExhausted,
    /// Too many wrong guesses too fast: the team may try again at `retry_at`. Not judged, so
    /// throttling reveals nothing about the answer.
    Throttled {
        /// When the team may guess again.
        retry_at: Timestamp,
    },
    /// The idempotency key was seen before from this team for this challenge: the original
    /// verdict, with nothing recorded twice.
    Duplicate {
        /// The verdict the key got the first time.
        original: Box<Verdict>,
    },
    /// The idempotency key was used before for another submission. Nothing is revealed and
    /// nothing recorded.
    KeyConflict,
}

impl Verdict {
    /// Whether this verdict recorded (or, for a duplicate, had recorded) a solve.
    pub fn is_correct(&self) -> bool {
        match self {
            Verdict::Correct { .. } => true,
            Verdict::Duplicate { original } => original.is_correct(),
            _ => false,
        }
    }
}

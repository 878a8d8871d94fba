//! Events: the immutable facts of the append-only log, the only source of truth.

use serde::{Deserialize, Serialize};

use crate::ids::{IdempotencyKey, TeamId};
use crate::time::Timestamp;

/// How a judged submission came out, as recorded in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum JudgedAs {
    /// An accepted answer: the challenge is solved.
    Correct,
    /// A wrong answer; `guess` is its normalized form, so a repeat of it is free.
    Incorrect {
        /// The normalized guess.
        guess: String,
    },
    /// A partial answer ("keep going"); `reply` indexes the challenge's partial answers.
    Partial {
        /// Index of the partial answer matched.
        reply: u32,
    },
}

/// One fact in a hunt's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A team joined; its id is the next dense id.
    TeamRegistered {
        /// The new team's id.
        team: TeamId,
        /// Display name as given.
        name: String,
        /// Division, if any.
        division: Option<String>,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// When.
        at: Timestamp,
    },
    /// A submission was judged (correct, wrong or partial). Submissions that were refused
    /// without judging (locked, not open, attempts exhausted, already solved) are not recorded.
    SubmissionJudged {
        /// The submitting team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// The caller's idempotency key.
        key: IdempotencyKey,
        /// The raw answer as submitted.
        answer: String,
        /// The judgement.
        judged: JudgedAs,
        /// When.
        at: Timestamp,
    },
    /// An admin awarded (positive) or deducted (negative) points.
    PointsAdjusted {
        /// The team.
        team: TeamId,
        /// Points added (negative to deduct).
        delta: i64,
        /// Why, as the admin wrote it.
        reason: String,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// When.
        at: Timestamp,
    },
    /// An admin hid or unhid a team from the standings.
    TeamHidden {
        /// The team.
        team: TeamId,
        /// Hidden (true) or shown again (false).
        hidden: bool,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// When.
        at: Timestamp,
    },
    /// A team took a hint.
    HintTaken {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// The hint's slug.
        hint: String,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// When.
        at: Timestamp,
    },
    /// An admin granted a team extra counted guesses at a challenge.
    AttemptsGranted {
        /// The team.
        team: TeamId,
        /// The challenge's slug.
        challenge: String,
        /// Extra guesses.
        extra: u32,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// When.
        at: Timestamp,
    },
    /// An admin revealed the final board: public views stop being frozen.
    BoardRevealed {
        /// When.
        at: Timestamp,
        /// The id the caller gave the command, so a retry is applied at most once; absent in
        /// events recorded before commands had ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
    },
}

impl Event {
    /// The id of the command that recorded this event, if it had one: a submission's
    /// idempotency key, or another command's id.
    pub fn key(&self) -> Option<IdempotencyKey> {
        match self {
            Event::SubmissionJudged { key, .. } => Some(*key),
            Event::TeamRegistered { key, .. }
            | Event::PointsAdjusted { key, .. }
            | Event::TeamHidden { key, .. }
            | Event::HintTaken { key, .. }
            | Event::AttemptsGranted { key, .. }
            | Event::BoardRevealed { key, .. } => *key,
        }
    }

    /// When the event happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Event::TeamRegistered { at, .. }
            | Event::SubmissionJudged { at, .. }
            | Event::PointsAdjusted { at, .. }
            | Event::TeamHidden { at, .. }
            | Event::HintTaken { at, .. }
            | Event::AttemptsGranted { at, .. }
            | Event::BoardRevealed { at, .. } => *at,
        }
    }
}

/// An event with its position in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Position: the first event of a hunt is 1, and positions have no gaps.
    pub seq: u64,
    /// The event.
    pub event: Event,
}

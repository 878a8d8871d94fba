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

/// The event JSON is the format of every store's log and of `hunt export`: bytes already
/// written keep their meaning only while this shape holds. A change here is a format change
/// (stores move their layout version with it), never an accident.
#[cfg(test)]
mod format {
    use super::*;

    fn json(event: &Event) -> String {
        serde_json::to_string(event).expect("events serialize")
    }

    #[test]
    fn the_shape_of_every_event_is_pinned() {
        let at = Timestamp::from_millis(-5);
        let key = Some(IdempotencyKey(u128::MAX - 1));
        let cases = [
            (
                Event::TeamRegistered {
                    team: TeamId(3),
                    name: "Sea Otters".into(),
                    division: Some("students".into()),
                    key,
                    at,
                },
                r#"{"type":"team_registered","team":3,"name":"Sea Otters","division":"students","key":"fffffffffffffffffffffffffffffffe","at":-5}"#,
            ),
            (
                Event::TeamRegistered {
                    team: TeamId(3),
                    name: "Sea Otters".into(),
                    division: None,
                    key: None,
                    at,
                },
                r#"{"type":"team_registered","team":3,"name":"Sea Otters","division":null,"at":-5}"#,
            ),
            (
                Event::SubmissionJudged {
                    team: TeamId(3),
                    challenge: "first".into(),
                    key: IdempotencyKey(u128::MAX - 1),
                    answer: "Treasure".into(),
                    judged: JudgedAs::Incorrect {
                        guess: "TREASURE".into(),
                    },
                    at,
                },
                r#"{"type":"submission_judged","team":3,"challenge":"first","key":"fffffffffffffffffffffffffffffffe","answer":"Treasure","judged":{"kind":"incorrect","guess":"TREASURE"},"at":-5}"#,
            ),
            (
                Event::SubmissionJudged {
                    team: TeamId(0),
                    challenge: "c".into(),
                    key: IdempotencyKey(1),
                    answer: "".into(),
                    judged: JudgedAs::Partial { reply: 2 },
                    at,
                },
                r#"{"type":"submission_judged","team":0,"challenge":"c","key":"00000000000000000000000000000001","answer":"","judged":{"kind":"partial","reply":2},"at":-5}"#,
            ),
            (
                Event::PointsAdjusted {
                    team: TeamId(1),
                    delta: -50,
                    reason: "late".into(),
                    key,
                    at,
                },
                r#"{"type":"points_adjusted","team":1,"delta":-50,"reason":"late","key":"fffffffffffffffffffffffffffffffe","at":-5}"#,
            ),
            (
                Event::TeamHidden {
                    team: TeamId(1),
                    hidden: true,
                    key: None,
                    at,
                },
                r#"{"type":"team_hidden","team":1,"hidden":true,"at":-5}"#,
            ),
            (
                Event::HintTaken {
                    team: TeamId(1),
                    challenge: "c".into(),
                    hint: "h".into(),
                    key,
                    at,
                },
                r#"{"type":"hint_taken","team":1,"challenge":"c","hint":"h","key":"fffffffffffffffffffffffffffffffe","at":-5}"#,
            ),
            (
                Event::AttemptsGranted {
                    team: TeamId(1),
                    challenge: "c".into(),
                    extra: 2,
                    key: None,
                    at,
                },
                r#"{"type":"attempts_granted","team":1,"challenge":"c","extra":2,"at":-5}"#,
            ),
            (
                Event::BoardRevealed { at, key },
                r#"{"type":"board_revealed","at":-5,"key":"fffffffffffffffffffffffffffffffe"}"#,
            ),
        ];
        for (event, pinned) in cases {
            assert_eq!(json(&event), pinned);
            let back: Event = serde_json::from_str(pinned).expect("the pinned shape decodes");
            assert_eq!(back, event);
        }
    }

    #[test]
    fn events_written_before_command_ids_still_decode() {
        // Format 1 logs had no `key` on these events.
        let old = r#"{"type":"points_adjusted","team":1,"delta":5,"reason":"r","at":7}"#;
        let event: Event = serde_json::from_str(old).expect("decodes");
        assert_eq!(event.key(), None);
    }

    #[test]
    fn malformed_events_are_refused() {
        for key in [
            "",
            "+fffffffffffffffffffffffffffffff",
            "abc",
            &"0".repeat(33),
            &"g".repeat(32),
        ] {
            let json = format!(
                r#"{{"type":"submission_judged","team":3,"challenge":"c","key":"{key}","answer":"","judged":{{"kind":"correct"}},"at":0}}"#
            );
            assert!(serde_json::from_str::<Event>(&json).is_err(), "{key:?}");
        }
        assert!(serde_json::from_str::<Event>(r#"{"type":"nope"}"#).is_err());
    }
}

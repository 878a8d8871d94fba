//! The on-disk encoding of events: the core's own serde form as JSON, readable with any JSON
//! tool.
//!
//! The shape is `hunt_core::Event`'s: a `type` tag, snake_case fields, idempotency keys as 32
//! hex digits. A change to that shape would change the meaning of bytes already on disk, so
//! `the_shape_is_stable` pins it, and the layout version in `lib.rs` moves with it.

use hunt_core::Event;

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct CodecError(#[from] serde_json::Error);

pub(crate) fn encode(event: &Event) -> Result<Vec<u8>, CodecError> {
    Ok(serde_json::to_vec(event)?)
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Event, CodecError> {
    Ok(serde_json::from_slice(bytes)?)
}

#[cfg(test)]
mod tests {
    use hunt_core::{IdempotencyKey, JudgedAs, TeamId, Timestamp};

    use super::*;

    #[test]
    fn every_sample_event_round_trips() {
        for i in 0..600 {
            let event = hunt_core::testing::sample_event(i);
            let bytes = encode(&event).expect("every sample event encodes");
            assert_eq!(decode(&bytes).expect("what was encoded decodes"), event);
        }
    }

    #[test]
    fn the_shape_is_stable() {
        let event = Event::SubmissionJudged {
            team: TeamId(3),
            challenge: "first".into(),
            key: IdempotencyKey(u128::MAX - 1),
            answer: "Treasure".into(),
            judged: JudgedAs::Incorrect {
                guess: "TREASURE".into(),
            },
            at: Timestamp::from_millis(-5),
        };
        let json = String::from_utf8(encode(&event).expect("encodes")).expect("JSON is UTF-8");
        assert_eq!(
            json,
            r#"{"type":"submission_judged","team":3,"challenge":"first","key":"fffffffffffffffffffffffffffffffe","answer":"Treasure","judged":{"kind":"incorrect","guess":"TREASURE"},"at":-5}"#
        );
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
            assert!(decode(json.as_bytes()).is_err(), "{key:?}");
        }
        assert!(decode(b"{\"type\":\"nope\"}").is_err());
    }
}

//! Events and verdicts round-trip through serde, so stores and exports can use the core's own
//! encoding (JSON here) instead of a copy of its shape.

use hunt_core::testing::sample_events;
use hunt_core::{Event, IdempotencyKey, Timestamp, Verdict, Window};

#[test]
fn every_sample_event_round_trips_through_json() {
    // 600 samples cover every variant, with NUL and control characters, u128::MAX keys and
    // extreme timestamps and deltas.
    for event in sample_events(0, 600) {
        let json = serde_json::to_string(&event).expect("events serialize");
        let back: Event = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(back, event, "{json}");
    }
}

#[test]
fn idempotency_keys_are_32_hex_digits() {
    let key = IdempotencyKey(u128::MAX - 1);
    let json = serde_json::to_string(&key).expect("serializes");
    assert_eq!(json, "\"fffffffffffffffffffffffffffffffe\"");
    assert_eq!(
        serde_json::from_str::<IdempotencyKey>(&json).ok(),
        Some(key)
    );
    for bad in [
        "\"123\"",
        "12",
        "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"",
        "\"+fffffffffffffffffffffffffffffff\"",
    ] {
        assert!(
            serde_json::from_str::<IdempotencyKey>(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn verdicts_round_trip_through_json() {
    let verdicts = [
        Verdict::Correct {
            points: 100,
            first_solve: true,
        },
        Verdict::Incorrect {
            repeated: false,
            attempts_left: Some(2),
        },
        Verdict::Partial {
            reply: "keep going".into(),
        },
        Verdict::Locked,
        Verdict::NotOpen(Window::AfterEnd {
            closed_at: Timestamp::from_millis(5),
        }),
        Verdict::Duplicate {
            original: Box::new(Verdict::AlreadySolved),
        },
    ];
    for verdict in verdicts {
        let json = serde_json::to_string(&verdict).expect("verdicts serialize");
        assert_eq!(
            serde_json::from_str::<Verdict>(&json).ok(),
            Some(verdict),
            "{json}"
        );
    }
}

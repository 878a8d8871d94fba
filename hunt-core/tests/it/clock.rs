//! The test hunts' clock: every hunt of these tests starts at the same instant.

use hunt_core::Timestamp;

/// When the test hunts start.
pub const START: &str = "2026-11-28T09:00:00Z";

/// `minutes` after the start of the test hunts (before it, if negative).
pub fn at(minutes: i64) -> Timestamp {
    let start = Timestamp::parse_rfc3339(START).expect("a valid instant");
    Timestamp::from_millis(start.as_millis() + minutes * 60_000)
}

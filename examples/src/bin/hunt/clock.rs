//! The time commands act at: the wall clock, or `--at TIME` for scripts and tests (sample
//! hunts have fixed windows, so "now" is often outside them).
//!
//! The core never reads a clock; this module is where the CLI does.

use std::time::{SystemTime, UNIX_EPOCH};

use hunt_core::Timestamp;

/// The `--at TIME` flag of commands whose outcome depends on the time.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct At {
    /// Act as if it were TIME (RFC 3339, such as 2026-11-28T10:00:00Z) instead of now; a
    /// TIME before the log's last event is taken as that event's time (log time never goes
    /// back)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<Timestamp>,
}

impl At {
    /// `--at`, or the wall clock.
    pub fn now(self) -> Timestamp {
        self.at.unwrap_or_else(wall_clock)
    }
}

/// The wall clock, in the core's milliseconds since the epoch.
pub fn wall_clock() -> Timestamp {
    let millis = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        // A clock set before 1970: count backwards.
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    };
    Timestamp::from_millis(millis)
}

/// Parses an RFC 3339 instant for clap.
pub fn parse_time(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse_instant(text).map_err(|e| format!("{text:?} {e}"))
}

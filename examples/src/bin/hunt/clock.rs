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

/// The clock a service acts at: the wall clock, or, for `hunt demo --serve`, a simulated one
/// that starts at a given instant and runs `speed` times faster than the wall clock, so a
/// 12-hour hunt plays in minutes with the service's pushes at the right moments.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The wall-clock instant the clock started at.
    wall_origin: Timestamp,
    /// What the clock read then.
    origin: Timestamp,
    /// Clock milliseconds per wall-clock millisecond (1: the wall clock).
    speed: u32,
}

impl Clock {
    /// The wall clock.
    pub fn wall() -> Self {
        let now = wall_clock();
        Self {
            wall_origin: now,
            origin: now,
            speed: 1,
        }
    }

    /// A clock reading `origin` now and running `speed` times faster than the wall clock
    /// (at least 1).
    pub fn simulated(origin: Timestamp, speed: u32) -> Self {
        Self {
            wall_origin: wall_clock(),
            origin,
            speed: speed.max(1),
        }
    }

    /// What the clock reads now.
    pub fn now(&self) -> Timestamp {
        let elapsed = wall_clock().0.saturating_sub(self.wall_origin.0);
        Timestamp::from_millis(
            self.origin
                .0
                .saturating_add(elapsed.saturating_mul(i64::from(self.speed))),
        )
    }

    /// How many times faster than the wall clock this clock runs.
    pub fn speed(&self) -> u32 {
        self.speed
    }

    /// How long, on the wall clock, until the clock reads `at` (zero if it has already).
    pub fn until(&self, at: Timestamp) -> std::time::Duration {
        let ahead = at.0.saturating_sub(self.now().0).max(0);
        let wall = u64::try_from(ahead).unwrap_or(0) / u64::from(self.speed);
        std::time::Duration::from_millis(wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_clock_runs_at_its_speed_and_says_how_long_until_an_instant() {
        let origin = Timestamp::from_millis(1_000_000);
        let clock = Clock::simulated(origin, 60);
        let now = clock.now();
        assert!(now >= origin, "{now:?}");
        // An instant an hour ahead on the clock is at most a minute away on the wall.
        let hour = Timestamp::from_millis(origin.0 + 3_600_000);
        let until = clock.until(hour);
        assert!(until <= std::time::Duration::from_secs(60), "{until:?}");
        assert!(until >= std::time::Duration::from_secs(30), "{until:?}");
        assert_eq!(clock.until(origin), std::time::Duration::ZERO);
        // The wall clock is the clock of speed 1.
        let wall = Clock::wall();
        assert!(wall.now().0.abs_diff(wall_clock().0) < 60_000);
    }
}

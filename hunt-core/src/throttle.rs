//! Attempt throttling: how many wrong guesses a team may make, and how fast.
//!
//! Every policy is a pure function of the times of the team's counted wrong guesses (a
//! repeated guess is free and not counted), so every process that replays the log agrees on
//! who may guess when. A throttled submission is refused before its answer is evaluated, so
//! throttling cannot be used to probe for the right answer.

use serde::{Deserialize, Serialize};

use crate::time::{Span, Timestamp};

/// At most `attempts` counted wrong guesses in any `per` (CTFd: 10 a minute per team;
/// rCTF: 3 per 10 s per challenge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RateWindow {
    /// Wrong guesses allowed in a window.
    pub attempts: u32,
    /// The window's length.
    pub per: Span,
}

impl RateWindow {
    /// When a guess at `now` is allowed again, if it is not allowed now. `wrong` holds the
    /// times of counted wrong guesses, sorted ascending.
    pub fn retry_at(&self, wrong: &[Timestamp], now: Timestamp) -> Option<Timestamp> {
        let attempts = self.attempts as usize;
        // A guess at `t` is in the window at `now` while `now < t + per`.
        let start = Timestamp(now.as_millis().saturating_sub(self.per.as_millis()));
        let first_in = wrong.partition_point(|t| *t <= start);
        let in_window = &wrong[first_in..];
        let upto_now = in_window.partition_point(|t| *t <= now);
        if upto_now < attempts {
            return None;
        }
        // Waiting until the guess that must leave the window has left it.
        Some(in_window[upto_now - attempts].saturating_add(self.per))
    }
}

/// A back-off that grows with the number of wrong guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Backoff {
    /// tph-site: the i-th most recent wrong guess (i = 0 for the newest) blocks guessing
    /// until its time plus `i² × step` (tph-site's step is 40 s: 0 s, 40 s, 2 min 40 s, …).
    Quadratic {
        /// The unit multiplied by `i²`.
        step: Span,
    },
    /// PuzzleServer: after `free` wrong guesses, each further one blocks guessing for
    /// `(wrong - free) × step` after the latest one (PuzzleServer: 5 free, 2 minutes).
    Linear {
        /// Wrong guesses without a wait.
        free: u32,
        /// Wait per wrong guess beyond the free ones.
        step: Span,
    },
}

impl Backoff {
    /// When a guess at `now` is allowed again, if it is not allowed now.
    pub fn retry_at(&self, wrong: &[Timestamp], now: Timestamp) -> Option<Timestamp> {
        let until = match *self {
            Backoff::Quadratic { step } => wrong
                .iter()
                .rev()
                .enumerate()
                .map(|(i, t)| {
                    let i = i as i64;
                    t.saturating_add(Span(step.as_millis().saturating_mul(i.saturating_mul(i))))
                })
                .max()?,
            Backoff::Linear { free, step } => {
                let beyond = (wrong.len() as i64).saturating_sub(i64::from(free));
                if beyond <= 0 {
                    return None;
                }
                let last = *wrong.last()?;
                last.saturating_add(Span(step.as_millis().saturating_mul(beyond)))
            }
        };
        (now < until).then_some(until)
    }
}

/// What happens once a challenge's `max_attempts` counted wrong guesses are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Lockout {
    /// No more guesses, ever (CTFd `lockout`, gph-site), unless an admin grants more.
    #[default]
    Forever,
    /// At most `max_attempts` in any window of this length (CTFd `timeout`).
    Timeout(Span),
}

/// A challenge's attempt policy: a cap, a rate window and a back-off, each optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Throttle {
    /// Counted wrong guesses allowed, if capped.
    pub max_attempts: Option<u32>,
    /// What reaching the cap means.
    pub lockout: Lockout,
    /// A rate limit on this challenge's wrong guesses.
    pub window: Option<RateWindow>,
    /// A back-off on this challenge's wrong guesses.
    pub backoff: Option<Backoff>,
}

/// Why a guess may not be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The cap is used up for good.
    Exhausted,
    /// Allowed again at this instant.
    Until(Timestamp),
}

impl Throttle {
    /// Whether any of the policies depends on when the wrong guesses were made (a cap with a
    /// lockout forever only counts them).
    pub fn looks_at_time(&self) -> bool {
        self.window.is_some()
            || self.backoff.is_some()
            || (self.max_attempts.is_some() && matches!(self.lockout, Lockout::Timeout(_)))
    }

    /// Whether a team may guess at `now`, given how many counted wrong guesses it made at
    /// this challenge, their times (sorted ascending; needed only when
    /// [`Throttle::looks_at_time`]) and the extra attempts admins granted it.
    pub fn check(
        &self,
        counted: u32,
        wrong: &[Timestamp],
        extra: u32,
        now: Timestamp,
    ) -> Option<Refusal> {
        let mut until: Option<Timestamp> = None;
        let mut later = |t: Option<Timestamp>| {
            if let Some(t) = t {
                until = Some(until.map_or(t, |u| u.max(t)));
            }
        };
        if let Some(max) = self.max_attempts {
            let max = max.saturating_add(extra);
            match self.lockout {
                Lockout::Forever if counted >= max => return Some(Refusal::Exhausted),
                Lockout::Forever => {}
                Lockout::Timeout(per) => {
                    later(RateWindow { attempts: max, per }.retry_at(wrong, now))
                }
            }
        }
        if let Some(window) = self.window {
            later(window.retry_at(wrong, now));
        }
        if let Some(backoff) = self.backoff {
            later(backoff.retry_at(wrong, now));
        }
        until.map(Refusal::Until)
    }

    /// Counted wrong guesses left before the cap, if there is one. Under a timeout this
    /// counts the current window only (of `wrong`, the times); otherwise all `counted`.
    pub fn attempts_left(
        &self,
        counted: u32,
        wrong: &[Timestamp],
        extra: u32,
        now: Timestamp,
    ) -> Option<u32> {
        let max = self.max_attempts?.saturating_add(extra);
        let used = match self.lockout {
            Lockout::Timeout(per) => {
                let start = now.as_millis().saturating_sub(per.as_millis());
                let inside = wrong.iter().filter(|t| t.as_millis() > start && **t <= now);
                u32::try_from(inside.count()).unwrap_or(u32::MAX)
            }
            _ => counted,
        };
        Some(max.saturating_sub(used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> Timestamp {
        Timestamp(s * 1000)
    }

    fn times(s: &[i64]) -> Vec<Timestamp> {
        s.iter().map(|s| secs(*s)).collect()
    }

    #[test]
    fn a_rate_window_refuses_the_next_guess_until_the_oldest_leaves() {
        // rCTF: 3 per 10 s.
        let window = RateWindow {
            attempts: 3,
            per: Span::from_secs(10),
        };
        let wrong = times(&[100, 101, 105]);
        assert_eq!(window.retry_at(&wrong, secs(106)), Some(secs(110)));
        assert_eq!(window.retry_at(&wrong, secs(110)), None);
        assert_eq!(window.retry_at(&wrong[..2], secs(106)), None);
        // Old guesses do not count.
        assert_eq!(window.retry_at(&times(&[1, 2, 105]), secs(106)), None);
    }

    #[test]
    fn quadratic_backoff_matches_tph_site() {
        // i-th most recent guess blocks until t + i² × 40 s: 0 s, 40 s, 2 min 40 s, 6 min …
        let backoff = Backoff::Quadratic {
            step: Span::from_secs(40),
        };
        assert_eq!(backoff.retry_at(&times(&[0]), secs(0)), None);
        assert_eq!(backoff.retry_at(&times(&[0, 1]), secs(1)), Some(secs(40)));
        assert_eq!(
            backoff.retry_at(&times(&[0, 1, 2]), secs(2)),
            Some(secs(160))
        );
        assert_eq!(
            backoff.retry_at(&times(&[0, 1, 2, 3]), secs(3)),
            Some(secs(360))
        );
        assert_eq!(backoff.retry_at(&times(&[0, 1, 2, 3]), secs(360)), None);
    }

    #[test]
    fn linear_backoff_starts_after_the_free_guesses() {
        // PuzzleServer: after 5 wrong guesses, (wrong − 5) × 2 minutes.
        let backoff = Backoff::Linear {
            free: 5,
            step: Span::from_secs(120),
        };
        let five = times(&[0, 1, 2, 3, 4]);
        assert_eq!(backoff.retry_at(&five, secs(5)), None);
        let seven = times(&[0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(backoff.retry_at(&seven, secs(7)), Some(secs(6 + 240)));
    }

    #[test]
    fn a_cap_locks_out_for_good_unless_admins_grant_more() {
        let throttle = Throttle {
            max_attempts: Some(2),
            ..Throttle::default()
        };
        // A lockout forever counts guesses; their times are not needed.
        assert!(!throttle.looks_at_time());
        assert_eq!(throttle.check(2, &[], 0, secs(9)), Some(Refusal::Exhausted));
        assert_eq!(throttle.check(2, &[], 1, secs(9)), None);
        assert_eq!(throttle.attempts_left(2, &[], 1, secs(9)), Some(1));
    }

    #[test]
    fn a_cap_with_a_timeout_is_a_window() {
        // CTFd `timeout`: max 2 per 300 s.
        let throttle = Throttle {
            max_attempts: Some(2),
            lockout: Lockout::Timeout(Span::from_secs(300)),
            ..Throttle::default()
        };
        assert!(throttle.looks_at_time());
        let wrong = times(&[0, 10]);
        assert_eq!(
            throttle.check(2, &wrong, 0, secs(20)),
            Some(Refusal::Until(secs(300)))
        );
        assert_eq!(throttle.check(2, &wrong, 0, secs(300)), None);
        assert_eq!(throttle.attempts_left(2, &wrong, 0, secs(305)), Some(1));
    }

    #[test]
    fn the_latest_of_several_policies_wins() {
        let throttle = Throttle {
            window: Some(RateWindow {
                attempts: 1,
                per: Span::from_secs(10),
            }),
            backoff: Some(Backoff::Linear {
                free: 0,
                step: Span::from_secs(60),
            }),
            ..Throttle::default()
        };
        assert_eq!(
            throttle.check(1, &times(&[0]), 0, secs(1)),
            Some(Refusal::Until(secs(60)))
        );
    }
}

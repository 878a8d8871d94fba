//! Throttles: rate windows (the hunt's `team_throttle`, each `throttle.window`), back-offs,
//! and the throttle of each challenge (its cap and reset, its own table or the hunt's).
//!
//! Each `throttle` table is checked once, where it is written; a challenge that takes a hunt
//! default with a problem is not reported again.

use std::fmt::Display;

use super::super::ChallengeName;
use super::super::MAX_ATTEMPTS;
use super::super::keys::{self, Key, WindowKeys};
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{BackoffKind, ChallengeSpec, RateWindowSpec, ThrottleSpec, format_span};
use super::Validator;
use crate::throttle::{Backoff, Lockout, RateWindow, Throttle};
use crate::time::Span;

impl Validator<'_, '_, '_> {
    /// Checks a rate window whose sites are named by `keys` (the table, `attempts`, `per`).
    pub(super) fn rate_window(
        &mut self,
        w: &RateWindowSpec,
        owner: Option<u32>,
        keys: WindowKeys,
        of: &dyn Display,
    ) -> Option<RateWindow> {
        let [table, attempts_key, per_key] = keys;
        let attempts_site = Site::key(owner, attempts_key);
        let per_site = Site::key(owner, per_key);
        let table = Site::key(owner, table);
        let mut ok = true;
        if self.ok(attempts_site) {
            ok &= self.check_range(
                w.attempts,
                1,
                MAX_ATTEMPTS,
                attempts_site,
                &format_args!("{attempts_key} in {of}"),
            );
        }
        ok &= self.positive(
            w.per,
            &[per_site, table],
            &format_args!("{per_key} in {of}"),
        );
        Some(RateWindow {
            attempts: u32::try_from(w.attempts).ok()?,
            per: w.per,
        })
        .filter(|_| ok)
    }

    fn positive(&mut self, span: Span, sites: &[Site], what: &dyn Display) -> bool {
        if span.as_millis() > 0 || !self.ok(sites[0]) {
            return true;
        }
        self.report(
            ProblemKind::OutOfRange,
            sites,
            format!(
                "{what} is {}; it must be longer than zero",
                format_span(span)
            ),
        );
        false
    }

    /// Checks a `throttle` table of the hunt or of a challenge: its window and back-off.
    pub(super) fn throttle_table(
        &mut self,
        t: &ThrottleSpec,
        owner: Option<u32>,
        of: &dyn Display,
    ) -> Option<(Option<RateWindow>, Option<Backoff>)> {
        let site = |key| Site::key(owner, key);
        let mut ok = true;
        let window = match &t.window {
            Some(w) => {
                let window = self.rate_window(
                    w,
                    owner,
                    keys::THROTTLE_WINDOW,
                    &format_args!("`{}` of {of}", Key::ThrottleWindow.path()),
                );
                ok &= window.is_some();
                window
            }
            None => {
                ok &= self.ok(site(Key::ThrottleWindow));
                None
            }
        };
        let backoff = match &t.backoff {
            Some(b) => {
                let what = format_args!("`{}` of {of}", Key::ThrottleBackoff.path());
                let mut fine = self.positive(
                    b.step,
                    &[site(Key::ThrottleBackoffStep), site(Key::ThrottleBackoff)],
                    &format_args!("{} in {what}", Key::ThrottleBackoffStep),
                );
                let free_site = site(Key::ThrottleBackoffFree);
                let backoff = match (b.kind, b.free) {
                    (BackoffKind::Quadratic, Some(_)) => {
                        fine = false;
                        self.report(
                            ProblemKind::UnknownKey,
                            &[free_site],
                            format!(
                                "{} is not a parameter of the `quadratic` back-off in {what}; it takes {}",
                                Key::ThrottleBackoffFree,
                                Key::ThrottleBackoffStep,
                            ),
                        );
                        None
                    }
                    (BackoffKind::Linear, free) => {
                        let free = free.unwrap_or(0);
                        if self.ok(free_site) {
                            fine &= self.check_range(
                                free,
                                0,
                                MAX_ATTEMPTS,
                                free_site,
                                &format_args!("{} in {what}", Key::ThrottleBackoffFree),
                            );
                        } else {
                            fine = false;
                        }
                        u32::try_from(free)
                            .ok()
                            .map(|free| Backoff::Linear { free, step: b.step })
                    }
                    _ => Some(Backoff::Quadratic { step: b.step }),
                };
                ok &= fine;
                backoff
            }
            None => {
                ok &= self.ok(site(Key::ThrottleBackoff));
                None
            }
        };
        ok.then_some((window, backoff))
    }

    /// The throttle of one challenge: its cap and reset, and its own window and back-off or
    /// the hunt's (`hunt` is `None` when the hunt's has a problem).
    pub(super) fn challenge_throttle(
        &mut self,
        c: &ChallengeSpec,
        i: u32,
        hunt: Option<(Option<RateWindow>, Option<Backoff>)>,
    ) -> Option<Throttle> {
        let name = ChallengeName(&c.id, i);
        let field = |key| Site::Field(i, key);
        let mut ok = true;
        let lockout = match c.attempts_reset {
            Some(reset) if self.ok(field(Key::AttemptsReset)) => {
                if c.max_attempts.is_none() && self.ok(field(Key::MaxAttempts)) {
                    ok = false;
                    self.report(
                        ProblemKind::MissingKey,
                        &[field(Key::AttemptsReset), Site::Challenge(i)],
                        format!(
                            "`attempts_reset` of {name} resets the count of `max_attempts`, which is missing"
                        ),
                    );
                }
                ok &= self.positive(
                    reset,
                    &[field(Key::AttemptsReset), Site::Challenge(i)],
                    &format_args!("`attempts_reset` of {name}"),
                );
                Lockout::Timeout(reset)
            }
            Some(_) => {
                ok = false;
                Lockout::Forever
            }
            None => Lockout::Forever,
        };
        let (window, backoff) = match &c.throttle {
            _ if !self.ok(field(Key::Throttle)) => return None,
            Some(own) => self.throttle_table(own, Some(i), &format_args!("{name}"))?,
            None => hunt?,
        };
        let max_attempts = match c.max_attempts {
            Some(n) => Some(u32::try_from(n).ok()?),
            None => None,
        };
        ok.then_some(Throttle {
            max_attempts,
            lockout,
            window,
            backoff,
        })
    }
}

//! A `throttle` table (its window and back-off) and a rate window such as `team_throttle`.

use toml::de::DeValue;

use super::super::location::Site;
use super::super::spec::{BackoffKind, BackoffSpec, RateWindowSpec, ThrottleSpec};
use super::{Value, Walker};

/// The site keys of a rate window table: the table, `attempts`, `per`.
pub(crate) type WindowKeys = [&'static str; 3];
pub(crate) const TEAM_WINDOW: WindowKeys = [
    "team_throttle",
    "team_throttle.attempts",
    "team_throttle.per",
];
pub(crate) const THROTTLE_WINDOW: WindowKeys = [
    "throttle.window",
    "throttle.window.attempts",
    "throttle.window.per",
];

const BACKOFF_KINDS: &[(&str, BackoffKind)] = &[
    ("quadratic", BackoffKind::Quadratic),
    ("linear", BackoffKind::Linear),
];

impl Walker<'_> {
    /// `{ attempts = …, per = "…" }`, its sites named by `keys`.
    pub(super) fn rate_window(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        keys: WindowKeys,
        what: &str,
    ) -> Option<RateWindowSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table { attempts = …, per = \"…\" }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            &["attempts", "per"],
            format!("in {what}"),
        );
        let attempts = self.required(&e, "attempts", Site::key(owner, keys[1]), Self::integer);
        let per = self.required(&e, "per", Site::key(owner, keys[2]), Self::span);
        Some(RateWindowSpec {
            attempts: attempts?,
            per: per?,
        })
    }

    /// A `throttle` table of the hunt or of a challenge.
    pub(super) fn throttle(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        what: &str,
    ) -> Option<ThrottleSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table { window = …, backoff = … }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            &["window", "backoff"],
            format!("in {what}"),
        );
        let site = |key| Site::key(owner, key);
        let window = self.optional(&e, "window", site("throttle.window"), |w, v, _, what| {
            w.rate_window(v, owner, THROTTLE_WINDOW, what)
        });
        let backoff = self.optional(&e, "backoff", site("throttle.backoff"), |w, v, _, what| {
            let DeValue::Table(table) = v.get_ref() else {
                w.wrong_type(v, what, "a table { kind = \"…\", step = \"…\" }");
                return None;
            };
            let e = w.entries(
                table,
                Some(v.span()),
                &["kind", "step", "free"],
                format!("in {what}"),
            );
            let kind = w.required(
                &e,
                "kind",
                site("throttle.backoff.kind"),
                |w, v, s, what| w.choice(v, s, what, BACKOFF_KINDS),
            );
            let step = w.required(&e, "step", site("throttle.backoff.step"), Self::span);
            let free = w.optional(&e, "free", site("throttle.backoff.free"), Self::integer);
            Some(BackoffSpec {
                kind: kind?,
                step: step?,
                free,
            })
        });
        // A broken window or back-off is reported and dropped; the rest is still checked.
        Some(ThrottleSpec { window, backoff })
    }
}

//! A `throttle` table (its window and back-off) and a rate window such as `team_throttle`.

use toml::de::DeValue;

use super::super::keys::{self, Key, WindowKeys};
use super::super::location::Site;
use super::super::spec::{BackoffKind, BackoffSpec, RateWindowSpec, ThrottleSpec};
use super::{Value, Walker};

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
        let e = self.entries(table, Some(value.span()), &keys[1..], format!("in {what}"));
        let [_, attempts_key, per_key] = keys;
        let attempts = self.required(
            &e,
            attempts_key,
            Site::key(owner, attempts_key),
            Self::integer,
        );
        let per = self.required(&e, per_key, Site::key(owner, per_key), Self::span);
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
            keys::THROTTLE,
            format!("in {what}"),
        );
        let site = |key| Site::key(owner, key);
        let window = self.optional(
            &e,
            Key::ThrottleWindow,
            site(Key::ThrottleWindow),
            |w, v, _, what| w.rate_window(v, owner, keys::THROTTLE_WINDOW, what),
        );
        let backoff = self.optional(
            &e,
            Key::ThrottleBackoff,
            site(Key::ThrottleBackoff),
            |w, v, _, what| {
                let DeValue::Table(table) = v.get_ref() else {
                    w.wrong_type(v, what, "a table { kind = \"…\", step = \"…\" }");
                    return None;
                };
                let e = w.entries(table, Some(v.span()), keys::BACKOFF, format!("in {what}"));
                let kind = w.required(
                    &e,
                    Key::ThrottleBackoffKind,
                    site(Key::ThrottleBackoffKind),
                    |w, v, s, what| w.choice(v, s, what, BACKOFF_KINDS),
                );
                let step = w.required(
                    &e,
                    Key::ThrottleBackoffStep,
                    site(Key::ThrottleBackoffStep),
                    Self::span,
                );
                let free = w.optional(
                    &e,
                    Key::ThrottleBackoffFree,
                    site(Key::ThrottleBackoffFree),
                    Self::integer,
                );
                Some(BackoffSpec {
                    kind: kind?,
                    step: step?,
                    free,
                })
            },
        );
        // A broken window or back-off is reported and dropped; the rest is still checked.
        Some(ThrottleSpec { window, backoff })
    }
}
